"""Invitation links: only a hash is kept; expiry, revocation, single use; accepting; e-mail."""

import datetime as dt
import email
import email.policy

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Invitation, Supplier, User
from app.models.base import utcnow
from app.services import Actor, ServiceError, mail
from app.services import invitations as svc
from app.services.invitations import InvitationError, InvitationSettings
from tests.factories import PASSWORD, make_assessment, make_supplier, make_user

NOW = dt.datetime(2026, 11, 25, 9, 30)
ANALYST = Actor(user_id=None, email="analyst@example.com", role="analyst")
SETTINGS = InvitationSettings(secret_key="test-secret", days=14, base_url="https://cl.example/")
NEW_PASSWORD = "a long enough passphrase"


@pytest.fixture
def assessment_id(app):
    with app.app_context():
        supplier = make_supplier(db.session, legal_name="Müller Präzisionsteile GmbH")
        assessment = make_assessment(db.session, supplier)
        db.session.commit()
        return assessment.id


def _issue(assessment_id, email="contact@mueller.example", now=NOW):
    from app.models import Assessment

    assessment = db.session.get(Assessment, assessment_id)
    issued = svc.create(db.session, ANALYST, assessment, email, settings=SETTINGS, now=now)
    db.session.commit()
    return issued


def _accept(token, password=NEW_PASSWORD, now=NOW + dt.timedelta(hours=1), **kwargs):
    return svc.accept(db.session, token, password, settings=SETTINGS, now=now, **kwargs)


def _refused(token, reason, **kwargs):
    with pytest.raises(InvitationError) as caught:
        _accept(token, **kwargs)
    db.session.rollback()
    assert caught.value.reason == reason, caught.value.message
    return caught.value


def _user_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_only_the_hash_is_stored(app, assessment_id):
    with app.app_context():
        issued = _issue(assessment_id)
        row = db.session.scalar(select(Invitation))
        columns = {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}
        assert all(issued.token not in str(value) for value in columns.values())
        assert row.token_hash == svc.hash_token(issued.token) and len(row.token_hash) == 64
        assert issued.link == "https://cl.example/portal/invite/" + issued.token
        events = db.session.scalars(select(AuditEvent)).all()
        assert all(issued.token not in f"{e.summary}{e.before}{e.after}" for e in events)


def test_accept_creates_a_contact_bound_to_the_supplier(app, assessment_id):
    with app.app_context():
        issued = _issue(assessment_id)
        user = _accept(issued.token, name="Anna Müller", ip_address="10.0.0.7")
        db.session.commit()
        supplier_id = db.session.get(Invitation, issued.invitation.id).assessment.supplier_id
        assert user.role == "supplier" and user.supplier_id == supplier_id
        assert user.email == "contact@mueller.example" and user.name == "Anna Müller"
        assert user.password and user.password != NEW_PASSWORD
        row = db.session.get(Invitation, issued.invitation.id)
        assert row.used_at is not None and row.user_id == user.id
        assert svc.status_of(row) == "used"
        accepted = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "accept"))
        assert accepted.actor_id == user.id and accepted.ip_address == "10.0.0.7"


def test_a_used_link_cannot_be_used_again(app, assessment_id):
    with app.app_context():
        issued = _issue(assessment_id)
        _accept(issued.token)
        db.session.commit()
        count = _user_count()
        error = _refused(issued.token, "used")
        assert "already used" in error.message
        assert _user_count() == count


def test_an_expired_link_is_refused(app, assessment_id):
    with app.app_context():
        issued = _issue(assessment_id)
        count = _user_count()
        error = _refused(issued.token, "expired", now=NOW + dt.timedelta(days=14, seconds=1))
        assert "expired" in error.message
        assert _user_count() == count
        assert db.session.get(Invitation, issued.invitation.id).used_at is None
        # Just before the end it still works.
        _accept(issued.token, now=NOW + dt.timedelta(days=13, hours=23))


def test_expiry_recorded_in_the_database_also_counts(app, assessment_id):
    with app.app_context():
        issued = _issue(assessment_id)
        db.session.get(Invitation, issued.invitation.id).expires_at = NOW
        db.session.commit()
        _refused(issued.token, "expired")


def test_a_revoked_link_is_refused(app, assessment_id):
    with app.app_context():
        issued = _issue(assessment_id)
        svc.revoke(db.session, ANALYST, issued.invitation, now=NOW)
        db.session.commit()
        count = _user_count()
        error = _refused(issued.token, "revoked")
        assert "withdrawn" in error.message
        assert _user_count() == count
        with pytest.raises(ServiceError, match="already revoked"):
            svc.revoke(db.session, ANALYST, issued.invitation)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: t.split(".")[0],
        lambda t: "",
        lambda t: "not-a-token",
        lambda t: t * 20,
        lambda t: t.replace(".", "!", 1),
    ],
)
def test_a_tampered_link_is_refused(app, assessment_id, mangle):
    with app.app_context():
        issued = _issue(assessment_id)
        count = _user_count()
        error = _refused(mangle(issued.token), "invalid")
        assert "not valid" in error.message
        assert _user_count() == count
        assert db.session.get(Invitation, issued.invitation.id).used_at is None


def test_a_token_signed_with_another_key_or_salt_is_refused(app, assessment_id):
    from itsdangerous import URLSafeTimedSerializer

    with app.app_context():
        issued = _issue(assessment_id)
        payload = {"i": issued.invitation.id, "n": "x"}
        for serializer in (
            URLSafeTimedSerializer("other-secret", salt=svc.SALT),
            URLSafeTimedSerializer("test-secret", salt="another-purpose"),
        ):
            _refused(serializer.dumps(payload), "invalid")
        # A correctly signed token whose hash is not on record is refused too.
        forged = svc._serializer("test-secret", NOW).dumps(payload)
        _refused(forged, "invalid")


def test_resend_revokes_the_old_link_and_makes_a_new_one(app, assessment_id):
    with app.app_context():
        first = _issue(assessment_id)
        second = svc.resend(db.session, ANALYST, first.invitation, settings=SETTINGS, now=NOW)
        db.session.commit()
        assert second.token != first.token and second.invitation.email == first.invitation.email
        assert svc.status_of(first.invitation, NOW) == "revoked"
        _refused(first.token, "revoked")
        assert _accept(second.token).email == "contact@mueller.example"


def test_an_existing_contact_of_the_same_supplier_is_just_logged_in(app, assessment_id):
    with app.app_context():
        issued = _issue(assessment_id)
        supplier_id = issued.invitation.assessment.supplier_id
        existing = make_user(
            db.session,
            "supplier",
            "contact@mueller.example",
            db.session.get(Supplier, supplier_id),
        )
        old_hash = existing.password
        db.session.commit()
        count = _user_count()
        user = _accept(issued.token, password=None)
        db.session.commit()
        assert user.id == existing.id and user.password == old_hash
        assert _user_count() == count
        assert db.session.get(Invitation, issued.invitation.id).user_id == existing.id


@pytest.mark.parametrize("kind", ["staff", "other_supplier", "inactive", "locked"])
def test_addresses_of_other_accounts_are_refused_at_accept(app, assessment_id, kind):
    with app.app_context():
        issued = _issue(assessment_id)
        supplier_id = issued.invitation.assessment.supplier_id
        if kind == "staff":
            make_user(db.session, "analyst", "contact@mueller.example")
        elif kind == "other_supplier":
            make_user(db.session, "supplier", "contact@mueller.example", make_supplier(db.session))
        else:
            make_user(
                db.session,
                "supplier",
                "contact@mueller.example",
                db.session.get(Supplier, supplier_id),
                active=kind != "inactive",
                locked_until=utcnow() + dt.timedelta(minutes=5) if kind == "locked" else None,
            )
        db.session.commit()
        error = _refused(issued.token, "account")
        assert "contact@mueller.example" in error.message
        assert db.session.get(Invitation, issued.invitation.id).used_at is None


def test_create_refuses_staff_and_other_suppliers_addresses(app, assessment_id):
    with app.app_context():
        make_user(db.session, "admin", "boss@example.com", password=PASSWORD)
        db.session.commit()
        for email in ("boss@example.com", "not an address", ""):
            with pytest.raises(ServiceError) as caught:
                _issue(assessment_id, email)
            db.session.rollback()
            assert "email" in caught.value.errors
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


@pytest.mark.parametrize("password", ["", None, "short", "x" * 129])
def test_a_bad_password_changes_nothing(app, assessment_id, password):
    with app.app_context():
        issued = _issue(assessment_id)
        count = _user_count()
        with pytest.raises(ServiceError) as caught:
            _accept(issued.token, password=password)
        db.session.rollback()
        assert "password" in caught.value.errors
        assert _user_count() == count
        assert db.session.get(Invitation, issued.invitation.id).used_at is None
        _accept(issued.token)  # the link still works afterwards


def test_a_closed_assessment_refuses_its_links(app, assessment_id):
    from app.models import Assessment
    from app.services import assessments

    with app.app_context():
        issued = _issue(assessment_id)
        assessment = db.session.get(Assessment, assessment_id)
        assessment.status = "approved"
        db.session.commit()
        _refused(issued.token, "closed")
        with pytest.raises(ServiceError, match="approved"):
            _issue(assessment_id, "new@mueller.example")
        db.session.rollback()
        assessment = db.session.get(Assessment, assessment_id)
        assessment.status = "sent"
        assessments.cancel(db.session, ANALYST, assessment)
        db.session.commit()
        _refused(issued.token, "revoked")


def test_revoke_pending_counts_only_pending(app, assessment_id):
    from app.models import Assessment

    with app.app_context():
        a = _issue(assessment_id, "a@mueller.example")
        _issue(assessment_id, "b@mueller.example", now=NOW - dt.timedelta(days=30))  # expired
        _accept(a.token)
        _issue(assessment_id, "c@mueller.example")
        assessment = db.session.get(Assessment, assessment_id)
        assert svc.revoke_pending(db.session, ANALYST, assessment, now=NOW) == 1
        states = sorted(
            svc.status_of(i, NOW) for i in svc.invitations_of(db.session, assessment_id)
        )
        assert states == ["expired", "revoked", "used"]


# --- e-mail ---------------------------------------------------------------------------


def test_invitation_email_text():
    email = mail.invitation_email(
        link="https://cl.example/portal/invite/abc",
        org_name="Chainlight Demo\nManufacturing",
        supplier_name="深圳精密电子有限公司",
        questionnaire="C-SCRM Core",
        due_on=dt.date(2026, 12, 31),
        expires_at=dt.datetime(2026, 12, 9, 9, 30),
        message="Bitte bis Jahresende.",
    )
    assert "\n" not in email.subject and "深圳精密电子有限公司" in email.subject
    assert "https://cl.example/portal/invite/abc" in email.body
    assert "2026-12-31" in email.body and "2026-12-09 09:30" in email.body
    assert "Bitte bis Jahresende." in email.body


def test_no_mail_server_means_no_mail(app, assessment_id):
    app.config["MAIL_SERVER"] = ""
    with app.app_context():
        issued = _issue(assessment_id)
        assert svc.deliver(db.session, ANALYST, issued, org_name="Org") is False
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "email")) is None


def test_mail_goes_through_a_real_smtp_server(app, assessment_id, smtp_server):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        issued = _issue(assessment_id)
        assert svc.deliver(db.session, ANALYST, issued, org_name="Chainlight Demo") is True
        db.session.commit()
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "email"))
    assert len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["contact@mueller.example"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert "Müller Präzisionsteile GmbH" in message["Subject"]
    assert issued.link in message.get_content()


def test_a_failing_mail_server_is_reported(app, assessment_id):
    with app.app_context():
        from app.models import Assessment

        # A port nobody listens on: the connection is refused at once.
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_SUPPRESS_SEND=False)
        issued = _issue(assessment_id)
        with pytest.raises(mail.MailError, match="did not accept"):
            svc.deliver(db.session, ANALYST, issued, org_name="Org")
        db.session.rollback()
        assert db.session.get(Assessment, assessment_id) is not None
