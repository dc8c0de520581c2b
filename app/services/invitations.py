"""Invitation links for supplier contacts: signed, expiring, single use; only a hash is kept.

A token is an itsdangerous URL-safe timed signature (dedicated salt, so no other signed
value of the app can pass for one) over {invitation id, random nonce}. The database keeps
sha256(token) only: a link cannot be recovered from the database, so it is shown to the
analyst once, right after it is made. Accepting a link creates the contact's account
(bound to the assessment's supplier) or, for an existing contact of that same supplier,
just logs them in; either way the link is then used up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import Assessment, Invitation, User
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services import users as user_service
from app.services.audit import record

SALT = "chainlight-invitation"
INVITE_PATH = "/portal/invite/"
INVITABLE = ("sent", "in_progress", "submitted", "under_review", "changes_requested")
INVITATION_STATUSES = {
    "pending": "Pending",
    "used": "Used",
    "expired": "Expired",
    "revoked": "Revoked",
}


class InvitationError(ServiceError):
    """A link that cannot be used now; `reason` says which kind of refusal it is.

    Reasons: invalid, expired, revoked, used, closed (assessment over), account (the address
    belongs to another kind of account).
    """

    def __init__(self, reason: str, message: str, errors: dict[str, str] | None = None):
        super().__init__(message, errors)
        self.reason = reason


@dataclass(frozen=True)
class InvitationSettings:
    """What making and checking links depends on (read from the app config by the caller)."""

    secret_key: str
    days: int = 14
    base_url: str = "http://127.0.0.1:5000"

    @classmethod
    def from_config(cls, config: Any) -> InvitationSettings:
        return cls(
            secret_key=config["SECRET_KEY"],
            days=int(config.get("CHAINLIGHT_INVITATION_DAYS", 14)),
            base_url=config.get("CHAINLIGHT_BASE_URL", "http://127.0.0.1:5000"),
        )

    @property
    def max_age(self) -> int:
        return self.days * 86400


def _settings(settings: InvitationSettings | None) -> InvitationSettings:
    if settings is not None:
        return settings
    from flask import current_app

    return InvitationSettings.from_config(current_app.config)


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its link: the only moment the token exists in the clear."""

    invitation: Invitation
    token: str
    link: str


def hash_token(token: str) -> str:
    """The sha256 hex digest stored in place of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_for(token: str, base_url: str) -> str:
    """The absolute invitation URL under CHAINLIGHT_BASE_URL."""
    return base_url.rstrip("/") + INVITE_PATH + token


def _serializer(secret_key: str, now: dt.datetime) -> URLSafeTimedSerializer:
    """A serializer whose clock is `now` (so expiry is testable without sleeping)."""
    stamp = int(now.replace(tzinfo=dt.UTC).timestamp())

    class _Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=_Signer)


def status_of(invitation: Invitation, now: dt.datetime | None = None) -> str:
    """pending, used, expired or revoked."""
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.used_at is not None:
        return "used"
    if invitation.expires_at <= (now or utcnow()):
        return "expired"
    return "pending"


def check_invitable_email(session: Session, email: str, supplier_id: int) -> str:
    """The normalised address, refused when it belongs to staff or another supplier's contact."""
    email = user_service.normalise_email(email)
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if user is not None and (user.role != "supplier" or user.supplier_id != supplier_id):
        message = (
            f"{email} belongs to an account that is not a contact of this supplier; "
            "invite the supplier's own contact address."
        )
        raise ServiceError(message, {"email": "Belongs to another account."})
    return email


def create(
    session: Session,
    actor: Actor,
    assessment: Assessment,
    email: str,
    *,
    settings: InvitationSettings | None = None,
    now: dt.datetime | None = None,
) -> IssuedInvitation:
    """A new invitation to `assessment` for `email` (audited); the token is returned, not kept."""
    cfg = _settings(settings)
    now = now or utcnow()
    if assessment.status not in INVITABLE:
        state = assessment.status.replace("_", " ")
        raise ServiceError(f"This assessment is {state}: no one can be invited to it.")
    email = check_invitable_email(session, email, assessment.supplier_id)
    invitation = Invitation(
        assessment=assessment,
        email=email,
        token_hash=secrets.token_hex(32),  # placeholder until the id is known
        expires_at=now + dt.timedelta(days=cfg.days),
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    token = _serializer(cfg.secret_key, now).dumps(
        {"i": invitation.id, "n": secrets.token_urlsafe(16)}
    )
    invitation.token_hash = hash_token(token)
    session.flush()
    record(
        session,
        actor,
        "invite",
        "invitation",
        invitation.id,
        f"Invited {email} to assessment #{assessment.id}",
        after={
            "assessment_id": assessment.id,
            "email": email,
            "expires_at": invitation.expires_at,
        },
    )
    return IssuedInvitation(invitation, token, link_for(token, cfg.base_url))


def revoke(
    session: Session, actor: Actor, invitation: Invitation, *, now: dt.datetime | None = None
) -> None:
    """Withdraw a pending link (audited); used, expired or revoked ones are refused."""
    now = now or utcnow()
    state = status_of(invitation, now)
    if state != "pending":
        raise ServiceError(f"This invitation is already {state}; there is nothing to revoke.")
    invitation.revoked_at = now
    session.flush()
    record(
        session,
        actor,
        "revoke",
        "invitation",
        invitation.id,
        f"Revoked the invitation of {invitation.email} to assessment #{invitation.assessment_id}",
        {"revoked_at": None},
        {"revoked_at": now},
    )


def resend(
    session: Session,
    actor: Actor,
    invitation: Invitation,
    *,
    settings: InvitationSettings | None = None,
    now: dt.datetime | None = None,
) -> IssuedInvitation:
    """A fresh link for the same address; the old one is revoked if still pending."""
    now = now or utcnow()
    if status_of(invitation, now) == "pending":
        revoke(session, actor, invitation, now=now)
    return create(
        session, actor, invitation.assessment, invitation.email, settings=settings, now=now
    )


def revoke_pending(
    session: Session, actor: Actor, assessment: Assessment, *, now: dt.datetime | None = None
) -> int:
    """Revoke every pending link of an assessment (when it is cancelled); how many."""
    now = now or utcnow()
    count = 0
    for invitation in invitations_of(session, assessment.id):
        if status_of(invitation, now) == "pending":
            revoke(session, actor, invitation, now=now)
            count += 1
    return count


def invitations_of(session: Session, assessment_id: int) -> list[Invitation]:
    """An assessment's invitations, newest first."""
    return list(
        session.scalars(
            select(Invitation)
            .where(Invitation.assessment_id == assessment_id)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


@dataclass(frozen=True)
class OpenInvitation:
    """A link that may be accepted now, and the existing account it would log in (if any)."""

    invitation: Invitation
    existing_user: User | None


_INVALID = (
    "This invitation link is not valid. Check that you copied the whole link, "
    "or ask your contact for a new one."
)


def check(
    session: Session,
    token: str,
    *,
    settings: InvitationSettings | None = None,
    now: dt.datetime | None = None,
) -> OpenInvitation:
    """The invitation behind `token` if it can be accepted now; InvitationError says why not."""
    cfg = _settings(settings)
    now = now or utcnow()
    if not isinstance(token, str) or not token or len(token) > 500:
        raise InvitationError("invalid", _INVALID)
    try:
        payload = _serializer(cfg.secret_key, now).loads(token, max_age=cfg.max_age)
    except SignatureExpired as exc:
        raise InvitationError(
            "expired",
            "This invitation link has expired. Ask your contact to send you a new one.",
        ) from exc
    except (BadSignature, ValueError, UnicodeError) as exc:
        raise InvitationError("invalid", _INVALID) from exc
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None or not isinstance(payload, dict) or payload.get("i") != invitation.id:
        raise InvitationError("invalid", _INVALID)
    state = status_of(invitation, now)
    if state == "revoked":
        raise InvitationError(
            "revoked",
            "This invitation was withdrawn. If a newer one was sent to you, use that link; "
            "otherwise ask your contact for a new one.",
        )
    if state == "used":
        raise InvitationError(
            "used",
            "This invitation link was already used. Log in with your e-mail address and "
            "password instead.",
        )
    if state == "expired":
        raise InvitationError(
            "expired",
            "This invitation link has expired. Ask your contact to send you a new one.",
        )
    assessment = invitation.assessment
    if assessment.status not in INVITABLE or assessment.supplier.archived:
        raise InvitationError(
            "closed", "This assessment is closed, so the invitation can no longer be used."
        )
    user = session.scalar(select(User).where(func.lower(User.email) == invitation.email.lower()))
    if user is not None:
        if user.role != "supplier" or user.supplier_id != assessment.supplier_id:
            raise InvitationError(
                "account",
                f"The address {invitation.email} already belongs to another account, so this "
                "invitation cannot be used. Ask your contact to invite a different address.",
            )
        if not user.active:
            raise InvitationError(
                "account",
                f"The account of {invitation.email} is deactivated. Ask your contact to "
                "reactivate it.",
            )
        if user.is_locked():
            raise InvitationError(
                "account",
                f"The account of {invitation.email} is locked after too many failed log-ins. "
                "Try again later.",
            )
    return OpenInvitation(invitation, user)


def accept(
    session: Session,
    token: str,
    password: str | None,
    *,
    name: str = "",
    settings: InvitationSettings | None = None,
    now: dt.datetime | None = None,
    ip_address: str = "",
) -> User:
    """Use up the link: create the contact's account with `password`, or return the existing one.

    The caller logs the returned user in and commits. Nothing changes when it refuses.
    """
    now = now or utcnow()
    opened = check(session, token, settings=settings, now=now)
    invitation = opened.invitation
    supplier_id = invitation.assessment.supplier_id
    actor = Actor(
        user_id=None,
        email=invitation.email,
        role="supplier",
        supplier_id=supplier_id,
        ip_address=ip_address,
    )
    if opened.existing_user is None:
        user = user_service.create_user(
            session,
            actor,
            email=invitation.email,
            role="supplier",
            password=password or "",
            name=name,
            supplier_id=supplier_id,
        )
        actor = Actor.for_user(user, ip_address)
    else:
        user = opened.existing_user
        actor = Actor.for_user(user, ip_address)
    # Conditional update: of two concurrent requests with the same link, one wins.
    used = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(used_at=now, user_id=user.id)
        .execution_options(synchronize_session="fetch")
    )
    if used.rowcount != 1:
        raise InvitationError("used", "This invitation link was already used.")
    record(
        session,
        actor,
        "accept",
        "invitation",
        invitation.id,
        f"{invitation.email} accepted the invitation to assessment #{invitation.assessment_id}",
        after={"user_id": user.id, "new_account": opened.existing_user is None},
    )
    return user


def deliver(session: Session, actor: Actor, issued: IssuedInvitation, *, org_name: str) -> bool:
    """E-mail the link when a mail server is configured (audited); False when none is.

    Raises mail.MailError when the server fails; the invitation stays valid either way.
    """
    from app.services import mail

    invitation = issued.invitation
    assessment = invitation.assessment
    email = mail.invitation_email(
        link=issued.link,
        org_name=org_name,
        supplier_name=assessment.supplier.legal_name,
        questionnaire=assessment.template_version.template.name,
        due_on=assessment.due_on,
        expires_at=invitation.expires_at,
        message=assessment.message,
    )
    if not mail.send([invitation.email], email):
        return False
    record(
        session,
        actor,
        "email",
        "invitation",
        invitation.id,
        f"E-mailed the invitation link to {invitation.email}",
    )
    return True
