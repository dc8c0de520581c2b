"""Findings, risk acceptances that expire, and the severity SLA

Revision ID: 0005_findings
Revises: 0004_risk
Create Date: 2026-11-25 21:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_findings'
down_revision = '0004_risk'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=True),
        sa.Column('assessment_id', sa.Integer(), nullable=True),
        sa.Column('control', sa.String(length=40), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('severity', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('opened_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('overdue_since', sa.Date(), nullable=True),
        sa.Column('verified_at', sa.DateTime(), nullable=True),
        sa.Column('verified_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_finding_assessment_id_assessment'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['connection_id'], ['connection.id'], name=op.f('fk_finding_connection_id_connection'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_finding_owner_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_finding_supplier_id_supplier'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['verified_by_id'], ['user.id'], name=op.f('fk_finding_verified_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding')),
        sa.UniqueConstraint('assessment_id', 'control', name='uq_finding_assessment_control'),
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        for column in ('supplier_id', 'connection_id', 'assessment_id', 'control', 'severity', 'status', 'owner_id', 'due_on'):
            batch_op.create_index(batch_op.f(f'ix_finding_{column}'), [column], unique=False)
    op.create_table(
        'risk_acceptance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=False),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_by_email', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('lapsed_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_risk_acceptance_approved_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_risk_acceptance_finding_id_finding'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_acceptance')),
    )
    with op.batch_alter_table('risk_acceptance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_acceptance_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_acceptance_expires_on'), ['expires_on'], unique=False)
    with op.batch_alter_table('org_settings', schema=None) as batch_op:
        for key, days in (('critical', 30), ('high', 60), ('medium', 90), ('low', 180)):
            batch_op.add_column(sa.Column(f'sla_{key}_days', sa.Integer(), nullable=False, server_default=str(days)))


def downgrade():
    with op.batch_alter_table('org_settings', schema=None) as batch_op:
        for key in ('critical', 'high', 'medium', 'low'):
            batch_op.drop_column(f'sla_{key}_days')
    op.drop_table('risk_acceptance')
    op.drop_table('finding')
