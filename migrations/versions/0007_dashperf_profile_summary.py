"""profile summary: the dashboard's one- and two-way counts pre-aggregated with their cell-key sums

Revision ID: 0007_dashperf_profile_summary
Revises: 0007_citizen_translations
Create Date: 2026-12-01 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_dashperf_profile_summary'
down_revision = '0007_citizen_translations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('profile_summary',
    sa.Column('var_a', sa.String(length=30), nullable=False),
    sa.Column('var_b', sa.String(length=30), nullable=False),
    sa.Column('code_a', sa.String(length=40), nullable=False),
    sa.Column('code_b', sa.String(length=40), nullable=False),
    sa.Column('capability', sa.String(length=30), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.Column('key_sum', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('var_a', 'var_b', 'code_a', 'code_b', 'capability', name=op.f('pk_profile_summary'))
    )
    op.create_table('profile_summary_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('changes', sa.BigInteger(), nullable=False),
    sa.Column('tracked', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_summary_state'))
    )
    # The state row, the counting triggers, then the counts of the profiles already stored.
    from app.characterization import summary

    conn = op.get_bind()
    summary.install(conn)
    summary.rebuild(conn)


def downgrade():
    conn = op.get_bind()
    for table in ('profile', 'profile_disability'):
        for action in ('insert', 'delete', 'update'):
            if conn.dialect.name == 'postgresql':
                op.execute(f'DROP TRIGGER IF EXISTS trg_{table}_summary_{action} ON {table}')
            else:
                op.execute(f'DROP TRIGGER IF EXISTS trg_{table}_summary_{action}')
    if conn.dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS profile_summary_count()')
    op.drop_table('profile_summary_state')
    op.drop_table('profile_summary')
