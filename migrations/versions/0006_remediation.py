"""Remediation plans, milestones, finding threads and evidence, reminders

Revision ID: 0006_remediation
Revises: 0005_findings
Create Date: 2026-12-06 20:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_remediation'
down_revision = '0005_findings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('plan_status', sa.String(length=20), nullable=False, server_default='none'))
        batch_op.add_column(sa.Column('plan_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('plan_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('plan_proposed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('plan_reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('plan_review_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reopened_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reminded_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_finding_contact_id_user'), 'user', ['contact_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_finding_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_plan_status'), ['plan_status'], unique=False)
    op.create_table(
        'finding_milestone',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_milestone_finding_id_finding'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_milestone')),
    )
    with op.batch_alter_table('finding_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_milestone_finding_id'), ['finding_id'], unique=False)
    op.create_table(
        'finding_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('author_email', sa.String(length=255), nullable=False),
        sa.Column('author_role', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_finding_comment_author_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_comment_finding_id_finding'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_comment')),
    )
    with op.batch_alter_table('finding_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_comment_finding_id'), ['finding_id'], unique=False)
    op.create_table(
        'finding_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('uploaded_by_email', sa.String(length=255), nullable=False),
        sa.Column('uploaded_by_role', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_finding_evidence_file_id_stored_file'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_evidence_finding_id_finding'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_evidence')),
    )
    with op.batch_alter_table('finding_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_evidence_finding_id'), ['finding_id'], unique=False)


def downgrade():
    op.drop_table('finding_evidence')
    op.drop_table('finding_comment')
    op.drop_table('finding_milestone')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_plan_status'))
        batch_op.drop_index(batch_op.f('ix_finding_contact_id'))
        batch_op.drop_constraint(batch_op.f('fk_finding_contact_id_user'), type_='foreignkey')
        for column in ('reminded_on', 'reopened_on', 'plan_review_note', 'plan_reviewed_at',
                       'plan_proposed_at', 'plan_due_on', 'plan_text', 'plan_status', 'contact_id'):
            batch_op.drop_column(column)
