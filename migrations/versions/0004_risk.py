"""Risk: snapshots of each supplier's score with framework coverage, approved assessments'
score summaries, and the organisation's settings (risk appetite)

Revision ID: 0004_risk
Revises: 0003_review
Create Date: 2026-11-25 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_risk'
down_revision = '0003_review'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'risk_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('superseded_at', sa.DateTime(), nullable=True),
        sa.Column('trigger', sa.String(length=40), nullable=False),
        sa.Column('model_version', sa.String(length=20), nullable=False),
        sa.Column('inputs_hash', sa.String(length=64), nullable=False),
        sa.Column('latest', sa.Boolean(), nullable=False),
        sa.Column('impact', sa.Integer(), nullable=False),
        sa.Column('likelihood', sa.Integer(), nullable=False),
        sa.Column('tier', sa.Integer(), nullable=False),
        sa.Column('effectiveness', sa.Float(), nullable=False),
        sa.Column('residual_likelihood', sa.Float(), nullable=False),
        sa.Column('residual_score', sa.Float(), nullable=False),
        sa.Column('previous_score', sa.Float(), nullable=True),
        sa.Column('cell_likelihood', sa.Integer(), nullable=False),
        sa.Column('cell_impact', sa.Integer(), nullable=False),
        sa.Column('band', sa.String(length=20), nullable=False),
        sa.Column('critical_connections', sa.Integer(), nullable=False),
        sa.Column('connection_kinds', sa.String(length=255), nullable=False),
        sa.Column('internal_systems', sa.String(length=255), nullable=False),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.Column('moved', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_risk_snapshot_supplier_id_supplier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_snapshot')),
    )
    with op.batch_alter_table('risk_snapshot', schema=None) as batch_op:
        batch_op.create_index('ix_risk_snapshot_supplier_computed', ['supplier_id', 'computed_at'], unique=False)
        batch_op.create_index('ix_risk_snapshot_supplier_latest', ['supplier_id', 'latest'], unique=False)
        batch_op.create_index('ix_risk_snapshot_latest_cell', ['latest', 'cell_likelihood', 'cell_impact'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_snapshot_computed_at'), ['computed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_snapshot_tier'), ['tier'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_snapshot_band'), ['band'], unique=False)

    op.create_table(
        'supplier_risk',
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('tier', sa.Integer(), nullable=False),
        sa.Column('band', sa.String(length=20), nullable=False),
        sa.Column('cell_likelihood', sa.Integer(), nullable=False),
        sa.Column('cell_impact', sa.Integer(), nullable=False),
        sa.Column('effectiveness', sa.Float(), nullable=False),
        sa.Column('residual_score', sa.Float(), nullable=False),
        sa.Column('previous_score', sa.Float(), nullable=True),
        sa.Column('critical_connections', sa.Integer(), nullable=False),
        sa.Column('connection_kinds', sa.String(length=255), nullable=False),
        sa.Column('internal_systems', sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(['snapshot_id'], ['risk_snapshot.id'], name=op.f('fk_supplier_risk_snapshot_id_risk_snapshot'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_supplier_risk_supplier_id_supplier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('supplier_id', name=op.f('pk_supplier_risk')),
    )
    op.create_table(
        'risk_coverage',
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('framework', sa.String(length=20), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('assessed', sa.Integer(), nullable=False),
        sa.Column('met', sa.Integer(), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_risk_coverage_supplier_id_supplier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('supplier_id', 'framework', name=op.f('pk_risk_coverage')),
    )
    op.create_table(
        'assessment_score',
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('counting_version', sa.String(length=20), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_score_assessment_id_assessment'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_assessment_score')),
    )
    op.create_table(
        'org_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_name', sa.String(length=200), nullable=False),
        sa.Column('appetite_low_max', sa.Integer(), nullable=False),
        sa.Column('appetite_medium_max', sa.Integer(), nullable=False),
        sa.Column('appetite_high_max', sa.Integer(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_org_settings_updated_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_settings')),
    )


def downgrade():
    op.drop_table('org_settings')
    op.drop_table('assessment_score')
    op.drop_table('risk_coverage')
    op.drop_table('supplier_risk')
    with op.batch_alter_table('risk_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_snapshot_band'))
        batch_op.drop_index(batch_op.f('ix_risk_snapshot_tier'))
        batch_op.drop_index(batch_op.f('ix_risk_snapshot_computed_at'))
        batch_op.drop_index('ix_risk_snapshot_latest_cell')
        batch_op.drop_index('ix_risk_snapshot_supplier_latest')
        batch_op.drop_index('ix_risk_snapshot_supplier_computed')
    op.drop_table('risk_snapshot')
