"""profile record key for the cell-key method; answer indexes carry the key

Revision ID: 0003_profile_record_key
Revises: 0004_retention
Create Date: 2026-12-01 15:00:00

Every profile gets a random record key (0..255); its disability rows carry a copy. Existing
profiles get one drawn by the database. The answer-column indexes (and a new one on channel)
become (answer, record_key), so a dashboard counts a column and sums its keys from the index
alone.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_profile_record_key'
down_revision = '0004_retention'
branch_labels = None
depends_on = None

KEYED = ('life_course', 'sex', 'gender_identity', 'sexual_orientation', 'ethnicity', 'victim', 'migrant',
         'campesino', 'has_disability', 'zone', 'territory', 'subterritory', 'value_group')
NEW = ('channel',)


def upgrade():
    bind = op.get_bind()
    # NOT NULL with a temporary default (SQLite adds a NOT NULL column only with a default and
    # cannot drop it without rebuilding the WITHOUT ROWID table; the model sets every value).
    op.add_column('profile', sa.Column('record_key', sa.SmallInteger(), nullable=False, server_default='0'))
    if bind.dialect.name == 'postgresql':
        op.execute("UPDATE profile SET record_key = floor(random() * 256)::int")
        op.alter_column('profile', 'record_key', server_default=None)
    else:
        op.execute("UPDATE profile SET record_key = abs(random()) % 256")
    for name in KEYED:
        op.drop_index(f'ix_profile_{name}', table_name='profile')
        op.create_index(f'ix_profile_{name}', 'profile', [name, 'record_key'], unique=False)
    for name in NEW:
        op.create_index(f'ix_profile_{name}', 'profile', [name, 'record_key'], unique=False)
    op.drop_index('ix_profile_capability_date', table_name='profile')
    op.create_index('ix_profile_capability_date', 'profile', ['capability', 'on_date', 'record_key'],
                    unique=False)
    # Disability rows carry a copy of their profile's key.
    op.add_column('profile_disability', sa.Column('record_key', sa.SmallInteger(), nullable=False,
                                                  server_default='0'))
    op.execute("UPDATE profile_disability SET record_key = (SELECT profile.record_key FROM profile "
               "WHERE profile.id = profile_disability.profile_id)")
    if bind.dialect.name == 'postgresql':
        op.alter_column('profile_disability', 'record_key', server_default=None)
    op.drop_index('ix_profile_disability_code', table_name='profile_disability')
    op.create_index('ix_profile_disability_code', 'profile_disability', ['code', 'record_key'], unique=False)


def downgrade():
    op.drop_index('ix_profile_disability_code', table_name='profile_disability')
    op.create_index('ix_profile_disability_code', 'profile_disability', ['code'], unique=False)
    with op.batch_alter_table('profile_disability', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('record_key')
    op.drop_index('ix_profile_capability_date', table_name='profile')
    op.create_index('ix_profile_capability_date', 'profile', ['capability', 'on_date'], unique=False)
    for name in NEW:
        op.drop_index(f'ix_profile_{name}', table_name='profile')
    for name in KEYED:
        op.drop_index(f'ix_profile_{name}', table_name='profile')
        op.create_index(f'ix_profile_{name}', 'profile', [name], unique=False)
    with op.batch_alter_table('profile', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('record_key')
