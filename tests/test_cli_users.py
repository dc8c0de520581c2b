"""flask create-user: every role, the supplier binding, and one clear line on refusal."""

import pytest
from flask_security.utils import verify_password
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, User
from app.models.base import utcnow
from tests.factories import make_supplier, make_user

PASSWORD = "a long enough passphrase"


@pytest.fixture
def supplier_id(app):
    with app.app_context():
        supplier = make_supplier(db.session, legal_name="Công ty TNHH Thép Việt")
        db.session.commit()
        return supplier.id


def _invoke(runner, *args, password=PASSWORD):
    return runner.invoke(args=["create-user", *args, "--password-stdin"], input=password + "\n")


def _user(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            return None
        return {
            "role": user.role,
            "supplier_id": user.supplier_id,
            "name": user.name,
            "password_ok": verify_password(PASSWORD, user.password),
        }


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
        )


def _one_clear_line(result):
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.mark.parametrize("role", ["admin", "analyst", "executive"])
def test_create_staff_user(app, runner, role):
    email = f"{role}@example.com"
    result = _invoke(runner, email, "--role", role, "--name", "Müller Präzision")
    assert result.exit_code == 0, result.output
    assert f"Created {email} ({role})" in result.output
    assert _user(app, email) == {
        "role": role,
        "supplier_id": None,
        "name": "Müller Präzision",
        "password_ok": True,
    }
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.actor_email) == ("create", "cli")
    assert PASSWORD not in str(event.after)


def test_create_supplier_contact(app, runner, supplier_id):
    result = _invoke(
        runner, "contact@example.com", "--role", "supplier", "--supplier", str(supplier_id)
    )
    assert result.exit_code == 0, result.output
    assert _user(app, "contact@example.com")["supplier_id"] == supplier_id


def test_password_is_read_without_its_line_ending(app, runner):
    result = runner.invoke(
        args=["create-user", "crlf@example.com", "--role", "analyst", "--password-stdin"],
        input=PASSWORD + "\r\n",
    )
    assert result.exit_code == 0, result.output
    assert _user(app, "crlf@example.com")["password_ok"]


def test_supplier_role_needs_a_supplier(app, runner, supplier_id):
    line = _one_clear_line(_invoke(runner, "c@example.com", "--role", "supplier"))
    assert "bound to a supplier" in line
    assert _counts(app) == (0, 0)


def test_supplier_must_exist_and_be_active(app, runner, supplier_id):
    line = _one_clear_line(
        _invoke(runner, "c@example.com", "--role", "supplier", "--supplier", "999")
    )
    assert "No active supplier with id 999" in line
    huge = "99999999999999999999999"
    line = _one_clear_line(
        _invoke(runner, "c@example.com", "--role", "supplier", "--supplier", huge)
    )
    assert f"No active supplier with id {huge}" in line
    with app.app_context():
        archived = make_supplier(db.session, archived_at=utcnow())
        db.session.commit()
        archived_id = archived.id
    line = _one_clear_line(
        _invoke(runner, "c@example.com", "--role", "supplier", "--supplier", str(archived_id))
    )
    assert f"No active supplier with id {archived_id}" in line
    assert _counts(app) == (0, 0)


def test_staff_role_refuses_a_supplier(app, runner, supplier_id):
    line = _one_clear_line(
        _invoke(runner, "a@example.com", "--role", "analyst", "--supplier", str(supplier_id))
    )
    assert "Only supplier contacts" in line
    assert _counts(app) == (0, 0)


def test_duplicate_email_is_refused(app, runner):
    with app.app_context():
        make_user(db.session, "analyst", "taken@example.com")
        db.session.commit()
    line = _one_clear_line(_invoke(runner, "Taken@Example.com", "--role", "executive"))
    assert "already exists" in line
    assert _counts(app) == (1, 0)


def test_short_password_is_refused(app, runner):
    line = _one_clear_line(_invoke(runner, "a@example.com", "--role", "analyst", password="short"))
    assert "at least 12 characters" in line
    assert _counts(app) == (0, 0)


def test_bad_email_is_refused(app, runner):
    line = _one_clear_line(_invoke(runner, "not-an-address", "--role", "analyst"))
    assert "Not a valid e-mail address" in line
    assert _counts(app) == (0, 0)


def test_unknown_role_is_refused_by_the_option(app, runner):
    result = _invoke(runner, "a@example.com", "--role", "root")
    assert result.exit_code == 2
    assert "root" in result.output
    assert _counts(app) == (0, 0)


def test_several_problems_still_make_one_line(app, runner):
    line = _one_clear_line(_invoke(runner, "nope", "--role", "supplier", password="short"))
    assert "e-mail" in line and "supplier" in line and "12 characters" in line


def test_flask_security_user_and_role_commands_are_not_exposed(app):
    """Users are made through create-user (one role, audited), never Flask-Security's CLI."""
    assert "users" not in app.cli.commands and "roles" not in app.cli.commands
