"""plans: multi-year plans (end year) and yearly / per-period targets of tasks

Revision ID: 0007_plans_multi_year
Revises: 0004_hardening_consultations

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_plans_multi_year'
down_revision = '0004_hardening_consultations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_year', sa.Integer(), nullable=True))
    op.create_table(
        'plan_task_target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('period', sa.Integer(), nullable=False),
        sa.Column('goal', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['plan_task.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('task_id', 'year', 'period'),
    )
    with op.batch_alter_table('plan_task_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_task_target_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_task_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_task_target_task_id'))
    op.drop_table('plan_task_target')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('end_year')
