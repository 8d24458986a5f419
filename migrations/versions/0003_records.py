"""records: ballot deposits idempotent with a form nonce; attendance rows voided with a reason

Revision ID: 0003_records
Revises: ops_jobs
Create Date: 2026-12-01 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_records'
down_revision = 'ops_jobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ballot_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nonce_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_ballot_question_nonce_hash'), ['nonce_hash'])
    with op.batch_alter_table('event_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('voided_by', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('event_attendance', schema=None) as batch_op:
        batch_op.drop_column('voided_by')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_at')
    with op.batch_alter_table('ballot_question', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ballot_question_nonce_hash'), type_='unique')
        batch_op.drop_column('nonce_hash')
