"""The users service: validation, audited changes, lockout and session ends, the list query."""

import datetime as dt

import pytest
from flask_security.utils import verify_password
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, User
from app.models.base import utcnow
from app.services import Actor, ServiceError
from app.services import users as svc
from tests.factories import make_supplier, make_user

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session


def _admin(session) -> tuple[User, Actor]:
    admin = make_user(session, "admin", "boss@example.com")
    return admin, Actor.for_user(admin)


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _events(session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


# --- create -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "analyst", "executive", "supplier"])
def test_create_user_for_each_role_is_audited_without_the_password(ctx, role):
    _, actor = _admin(ctx)
    supplier = make_supplier(ctx) if role == "supplier" else None
    user = svc.create_user(
        ctx,
        actor,
        email="  New.Person@Example.COM ",
        role=role,
        password=NEW_PASSWORD,
        name="Nguyễn Thị Minh",
        supplier_id=supplier.id if supplier else None,
    )
    assert user.email == "new.person@example.com"
    assert user.role == role and user.active
    assert user.supplier_id == (supplier.id if supplier else None)
    assert verify_password(NEW_PASSWORD, user.password)
    [event] = _events(ctx)
    assert (event.action, event.entity_type, event.entity_id) == ("create", "user", str(user.id))
    assert event.actor_email == "boss@example.com"
    assert event.after == {
        "email": "new.person@example.com",
        "name": "Nguyễn Thị Minh",
        "role": role,
        "supplier_id": user.supplier_id,
    }
    assert NEW_PASSWORD not in str(event.before) + str(event.after) + event.summary


def test_create_user_reports_every_problem_and_writes_nothing(ctx):
    _, actor = _admin(ctx)
    users_before = _count(ctx, User)
    with pytest.raises(ServiceError) as err:
        svc.create_user(
            ctx, actor, email="not-an-email", role="supplier", password="short", name="x" * 121
        )
    assert set(err.value.errors) == {"email", "name", "supplier_id", "password"}
    assert "\n" not in err.value.message
    assert _count(ctx, User) == users_before
    assert _events(ctx) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "BOSS@example.com"}, "email"),  # duplicate, whatever the case
        ({"email": ""}, "email"),
        ({"role": "superuser"}, "role"),
        ({"role": "analyst", "supplier_id": "SUPPLIER"}, "supplier_id"),
        ({"role": "supplier", "supplier_id": 999999}, "supplier_id"),
        ({"role": "supplier", "supplier_id": "ARCHIVED"}, "supplier_id"),
        ({"password": "x" * 11}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"password": ""}, "password"),
    ],
)
def test_create_user_refuses_bad_input(ctx, kwargs, field):
    _, actor = _admin(ctx)
    supplier = make_supplier(ctx)
    archived = make_supplier(ctx, archived_at=utcnow())
    values = {"email": "new@example.com", "role": "analyst", "password": NEW_PASSWORD}
    values.update(kwargs)
    if values.get("supplier_id") == "SUPPLIER":
        values["supplier_id"] = supplier.id
    if values.get("supplier_id") == "ARCHIVED":
        values["supplier_id"] = archived.id
    users_before = _count(ctx, User)
    with pytest.raises(ServiceError) as err:
        svc.create_user(ctx, actor, **values)
    assert field in err.value.errors
    assert _count(ctx, User) == users_before
    assert _events(ctx) == []


def test_password_lengths_at_the_limits_are_accepted(ctx):
    _, actor = _admin(ctx)
    svc.create_user(ctx, actor, email="a@example.com", role="analyst", password="x" * 12)
    svc.create_user(ctx, actor, email="b@example.com", role="analyst", password="x" * 128)
    assert [e.action for e in _events(ctx)] == ["create", "create"]


# --- update -------------------------------------------------------------------------------


def test_update_user_audits_only_the_changed_fields(ctx):
    _, actor = _admin(ctx)
    supplier = make_supplier(ctx, legal_name="深圳精密电子有限公司")
    user = make_user(ctx, "analyst", "ana@example.com", name="Ana")
    svc.update_user(
        ctx,
        actor,
        user,
        name="Müller Präzision",
        role="supplier",
        supplier_id=supplier.id,
        active=True,
    )
    [event] = _events(ctx)
    assert event.action == "update" and event.entity_id == str(user.id)
    assert event.before == {"name": "Ana", "role": "analyst", "supplier_id": None}
    assert event.after == {
        "name": "Müller Präzision",
        "role": "supplier",
        "supplier_id": supplier.id,
    }
    # Saving the same values again writes no event.
    svc.update_user(
        ctx,
        actor,
        user,
        name="Müller Präzision",
        role="supplier",
        supplier_id=supplier.id,
        active=True,
    )
    assert len(_events(ctx)) == 1


def test_update_user_validates_role_and_supplier(ctx):
    _, actor = _admin(ctx)
    supplier = make_supplier(ctx)
    user = make_user(ctx, "analyst", "ana@example.com")
    for kwargs, field in [
        ({"role": "supplier", "supplier_id": None}, "supplier_id"),
        ({"role": "executive", "supplier_id": supplier.id}, "supplier_id"),
        ({"role": "root", "supplier_id": None}, "role"),
        ({"role": "analyst", "supplier_id": None, "name": "y" * 121}, "name"),
    ]:
        values = {"name": "Ana", "active": True, **kwargs}
        with pytest.raises(ServiceError) as err:
            svc.update_user(ctx, actor, user, **values)
        assert field in err.value.errors
    assert user.role == "analyst" and user.supplier_id is None
    assert _events(ctx) == []


def test_a_contact_keeps_its_binding_to_an_archived_supplier(ctx):
    _, actor = _admin(ctx)
    archived = make_supplier(ctx, archived_at=utcnow())
    contact = make_user(ctx, "supplier", "c@example.com", archived)
    svc.update_user(
        ctx, actor, contact, name="Renamed", role="supplier", supplier_id=archived.id, active=True
    )
    assert contact.name == "Renamed" and contact.supplier_id == archived.id
    other = make_user(ctx, "supplier", "d@example.com", make_supplier(ctx))
    with pytest.raises(ServiceError):
        svc.update_user(
            ctx, actor, other, name="", role="supplier", supplier_id=archived.id, active=True
        )


def test_an_admin_cannot_demote_or_deactivate_themself(ctx):
    admin, actor = _admin(ctx)
    with pytest.raises(ServiceError) as err:
        svc.update_user(ctx, actor, admin, name="", role="analyst", supplier_id=None, active=True)
    assert "role" in err.value.errors
    with pytest.raises(ServiceError) as err:
        svc.update_user(ctx, actor, admin, name="", role="admin", supplier_id=None, active=False)
    assert "active" in err.value.errors
    with pytest.raises(ServiceError):
        svc.set_active(ctx, actor, admin, False)
    with pytest.raises(ServiceError):
        svc.set_password(ctx, actor, admin, NEW_PASSWORD)
    # Their own name they may change.
    svc.update_user(ctx, actor, admin, name="The Boss", role="admin", supplier_id=None, active=True)
    assert admin.role == "admin" and admin.active and admin.name == "The Boss"


def test_deactivating_through_update_ends_sessions(ctx):
    _, actor = _admin(ctx)
    user = make_user(ctx, "analyst")
    old = user.fs_uniquifier
    svc.update_user(ctx, actor, user, name="A", role="analyst", supplier_id=None, active=False)
    assert not user.active and user.fs_uniquifier != old


# --- activation, password, lockout ----------------------------------------------------------


def test_deactivate_and_reactivate(ctx):
    _, actor = _admin(ctx)
    user = make_user(ctx, "executive")
    old = user.fs_uniquifier
    svc.set_active(ctx, actor, user, False)
    assert not user.active and user.fs_uniquifier != old
    with pytest.raises(ServiceError):
        svc.set_active(ctx, actor, user, False)
    svc.set_active(ctx, actor, user, True)
    assert user.active
    with pytest.raises(ServiceError):
        svc.set_active(ctx, actor, user, True)
    events = _events(ctx)
    assert [(e.action, e.before, e.after) for e in events] == [
        ("deactivate", {"active": True}, {"active": False}),
        ("reactivate", {"active": False}, {"active": True}),
    ]


def test_set_password_unlocks_ends_sessions_and_never_logs_the_value(ctx):
    _, actor = _admin(ctx)
    user = make_user(ctx, "analyst", locked_until=utcnow() + dt.timedelta(minutes=5))
    user.failed_login_count = 4
    old = user.fs_uniquifier
    svc.set_password(ctx, actor, user, NEW_PASSWORD)
    assert verify_password(NEW_PASSWORD, user.password)
    assert user.fs_uniquifier != old
    assert user.locked_until is None and user.failed_login_count == 0
    [event] = _events(ctx)
    assert event.action == "password_reset"
    assert NEW_PASSWORD not in str(event.before) + str(event.after) + event.summary


def test_set_password_refuses_a_short_one(ctx):
    _, actor = _admin(ctx)
    user = make_user(ctx, "analyst")
    hashed = user.password
    with pytest.raises(ServiceError) as err:
        svc.set_password(ctx, actor, user, "too short")
    assert "password" in err.value.errors
    assert user.password == hashed and _events(ctx) == []


def test_unlock(ctx):
    _, actor = _admin(ctx)
    until = utcnow() + dt.timedelta(minutes=10)
    user = make_user(ctx, "analyst", locked_until=until)
    svc.unlock(ctx, actor, user)
    assert user.locked_until is None and not user.is_locked()
    [event] = _events(ctx)
    assert event.action == "unlock"
    assert event.before["locked_until"] == until.isoformat()
    with pytest.raises(ServiceError):
        svc.unlock(ctx, actor, user)  # no longer locked
    expired = make_user(ctx, "analyst", locked_until=utcnow() - dt.timedelta(minutes=1))
    with pytest.raises(ServiceError):
        svc.unlock(ctx, actor, expired)


# --- list ---------------------------------------------------------------------------------


def _emails(session, **args) -> list[str]:
    filters = svc.UserFilters.from_args(args)
    return [u.email for u in session.scalars(svc.list_query(filters))]


def test_list_filters_and_search(ctx):
    supplier = make_supplier(ctx)
    make_user(ctx, "admin", "zed@example.com", name="Zed")
    make_user(ctx, "analyst", "ana_lyst@example.com", name="Công ty TNHH Thép Việt")
    make_user(ctx, "executive", "exec@example.com", name="Eve", active=False)
    make_user(ctx, "supplier", "contact@example.com", supplier, name="İstanbul Lojistik A.Ş.")
    make_user(ctx, "analyst", "locked@example.com", locked_until=utcnow() + dt.timedelta(minutes=5))
    make_user(ctx, "analyst", "was-locked@example.com", locked_until=utcnow() - dt.timedelta(1))
    ctx.flush()
    assert _emails(ctx) == [
        "ana_lyst@example.com",
        "contact@example.com",
        "exec@example.com",
        "locked@example.com",
        "was-locked@example.com",
        "zed@example.com",
    ]
    assert _emails(ctx, role="analyst") == [
        "ana_lyst@example.com",
        "locked@example.com",
        "was-locked@example.com",
    ]
    assert _emails(ctx, status="inactive") == ["exec@example.com"]
    assert "exec@example.com" not in _emails(ctx, status="active")
    assert _emails(ctx, status="locked") == ["locked@example.com"]
    assert _emails(ctx, q="ZED") == ["zed@example.com"]
    assert _emails(ctx, q="Thép") == ["ana_lyst@example.com"]
    assert _emails(ctx, q="İstanbul") == ["contact@example.com"]
    # LIKE wildcards are taken literally.
    assert _emails(ctx, q="_") == ["ana_lyst@example.com"]
    assert _emails(ctx, q="%") == []
    assert _emails(ctx, sort="-email")[0] == "zed@example.com"
    # Unknown filter values are ignored rather than failing.
    assert len(_emails(ctx, role="root", status="gone", sort="password")) == 6


def test_supplier_choices_hide_archived_suppliers_unless_kept(ctx):
    active = make_supplier(ctx, legal_name="Müller Präzisionsteile GmbH")
    archived = make_supplier(ctx, archived_at=utcnow())
    ids = [i for i, _ in svc.supplier_choices(ctx)]
    assert active.id in ids and archived.id not in ids
    assert archived.id in [i for i, _ in svc.supplier_choices(ctx, archived.id)]
