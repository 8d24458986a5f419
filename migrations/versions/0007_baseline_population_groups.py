"""characterisation baseline: age ranges in years and the differential and zone groups

Revision ID: 0007_baseline_population_groups
Revises: 0007_plans_multi_year
Create Date: 2026-12-01 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_baseline_population_groups'
down_revision = '0007_plans_multi_year'
branch_labels = None
depends_on = None

GROUP = ('territory', 'life_course', 'sex')
NEW_GROUP = ('territory', 'life_course', 'sex', 'age_from', 'age_to', 'ethnicity', 'disability', 'victim', 'zone')


def upgrade():
    with op.batch_alter_table('characterization_baseline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_from', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('age_to', sa.Integer(), nullable=True))
        for name in ('ethnicity', 'disability', 'victim', 'zone'):
            batch_op.add_column(sa.Column(name, sa.String(length=10), server_default='', nullable=False))
        batch_op.drop_constraint('uq_characterization_baseline_group', type_='unique')
        batch_op.create_unique_constraint('uq_characterization_baseline_group', list(NEW_GROUP))


def downgrade():
    op.execute("DELETE FROM characterization_baseline WHERE age_from <> 0 OR age_to IS NOT NULL OR ethnicity <> '' "
               "OR disability <> '' OR victim <> '' OR zone <> ''")
    with op.batch_alter_table('characterization_baseline', schema=None) as batch_op:
        batch_op.drop_constraint('uq_characterization_baseline_group', type_='unique')
        batch_op.create_unique_constraint('uq_characterization_baseline_group', list(GROUP))
        for name in ('zone', 'victim', 'disability', 'ethnicity', 'age_to', 'age_from'):
            batch_op.drop_column(name)
