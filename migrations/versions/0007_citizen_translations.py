"""events, consultations, surveys, plans: optional English versions of staff-written content

Revision ID: 0007_citizen_translations
Revises: 0007_baseline_population_groups
Create Date: 2026-12-01 18:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_citizen_translations'
down_revision = '0007_baseline_population_groups'
branch_labels = None
depends_on = None

COLUMNS = {
    'event': [('title_en', sa.String(length=200)), ('description_en', sa.Text())],
    'consultation': [('title_en', sa.String(length=200)), ('introduction_en', sa.Text())],
    'consultation_topic': [('title_en', sa.String(length=160)), ('description_en', sa.String(length=600))],
    'survey': [('title_en', sa.String(length=200)), ('intro_en', sa.Text())],
    'survey_section': [('title_en', sa.String(length=200)), ('description_en', sa.Text())],
    'survey_question': [('text_en', sa.String(length=300)), ('help_en', sa.String(length=300))],
    'plan': [('name_en', sa.String(length=255))],
    'plan_action': [('title_en', sa.Text())],
}


def upgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=''))
            if table == 'survey_question':
                batch_op.add_column(sa.Column('options_en', sa.JSON(), nullable=True))


def downgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'survey_question':
                batch_op.drop_column('options_en')
            for name, _type in reversed(columns):
                batch_op.drop_column(name)
