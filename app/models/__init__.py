"""SQLAlchemy 2 typed models. Importing this package registers every table on Base.metadata."""

from app.models.assessment import (
    ASSESSMENT_STATUSES,
    Answer,
    AnswerComment,
    Assessment,
    Evidence,
    Invitation,
)
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.catalog import Control, CrosswalkLink
from app.models.certification import Certification
from app.models.connection import Connection, ConnectionDataClass
from app.models.files import StoredFile
from app.models.finding import (
    Finding,
    FindingComment,
    FindingEvidence,
    FindingMilestone,
    RiskAcceptance,
)
from app.models.questionnaire import QuestionnaireTemplate, TemplateVersion
from app.models.report import JobRun, ReportRun, ReportSchedule
from app.models.risk import (
    AssessmentScore,
    CurrentRisk,
    OrgSettings,
    RiskCoverage,
    RiskSnapshot,
)
from app.models.supplier import Supplier, supplier_links
from app.models.user import Role, User, roles_users

__all__ = [
    "ASSESSMENT_STATUSES",
    "Answer",
    "AssessmentScore",
    "AnswerComment",
    "Assessment",
    "AuditEvent",
    "Certification",
    "Control",
    "CrosswalkLink",
    "CurrentRisk",
    "Evidence",
    "Finding",
    "FindingComment",
    "FindingEvidence",
    "FindingMilestone",
    "Invitation",
    "JobRun",
    "OrgSettings",
    "QuestionnaireTemplate",
    "ReportRun",
    "ReportSchedule",
    "RiskAcceptance",
    "RiskCoverage",
    "RiskSnapshot",
    "StoredFile",
    "TemplateVersion",
    "Base",
    "Connection",
    "ConnectionDataClass",
    "Role",
    "Supplier",
    "User",
    "roles_users",
    "supplier_links",
]
