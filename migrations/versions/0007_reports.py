"""Report schedules, report runs with their archived PDFs, periodic job runs, reassessment reminders

Revision ID: 0007_reports
Revises: 0006_remediation
Create Date: 2026-12-06 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_reports'
down_revision = '0006_remediation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_schedule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=True),
        sa.Column('cadence', sa.String(length=20), nullable=False),
        sa.Column('cron', sa.String(length=100), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_report_schedule_created_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_report_schedule_supplier_id_supplier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_schedule')),
    )
    with op.batch_alter_table('report_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_schedule_supplier_id'), ['supplier_id'], unique=False)
    op.create_table(
        'report_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('schedule_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=True),
        sa.Column('trigger', sa.String(length=20), nullable=False),
        sa.Column('period_key', sa.String(length=40), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('send', sa.Boolean(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_by_email', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('file_id', sa.Integer(), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('emailed_to', sa.Text(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('facts', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_report_run_file_id_stored_file'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_report_run_requested_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['schedule_id'], ['report_schedule.id'], name=op.f('fk_report_run_schedule_id_report_schedule'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_report_run_supplier_id_supplier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_run')),
        sa.UniqueConstraint('schedule_id', 'period_key', name='uq_report_run_schedule_period'),
    )
    with op.batch_alter_table('report_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_run_schedule_id'), ['schedule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_run_supplier_id'), ['supplier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_run_status'), ['status'], unique=False)
    with op.batch_alter_table('supplier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reassessment_reminded_on', sa.Date(), nullable=True))
    op.create_table(
        'job_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=60), nullable=False),
        sa.Column('period_key', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('runner', sa.String(length=120), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
        sa.UniqueConstraint('job', 'period_key', name='uq_job_run_job_period'),
    )


def downgrade():
    op.drop_table('job_run')
    with op.batch_alter_table('supplier', schema=None) as batch_op:
        batch_op.drop_column('reassessment_reminded_on')
    op.drop_table('report_run')
    op.drop_table('report_schedule')
