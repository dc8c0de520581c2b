"""SQLAlchemy 2 typed models. Importing this package registers every table on Base.metadata."""

from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.connection import Connection, ConnectionDataClass
from app.models.supplier import Supplier, supplier_links
from app.models.user import Role, User, roles_users

__all__ = [
    "AuditEvent",
    "Base",
    "Connection",
    "ConnectionDataClass",
    "Role",
    "Supplier",
    "User",
    "roles_users",
    "supplier_links",
]
