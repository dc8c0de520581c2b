"""Use cases. Each takes the session and the acting user explicitly, flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, a CLI operator or the system itself."""

    user_id: int | None
    email: str
    role: str = ""
    supplier_id: int | None = None
    ip_address: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(user_id=None, email=label, role="system")

    @classmethod
    def for_user(cls, user, ip_address: str = "") -> Actor:
        return cls(
            user_id=user.id,
            email=user.email,
            role=user.role,
            supplier_id=user.supplier_id,
            ip_address=ip_address,
        )


class ServiceError(Exception):
    """A use case refused its input; `errors` maps field names to messages."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
