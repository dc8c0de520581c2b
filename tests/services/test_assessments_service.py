"""Assessment use cases: send (with its first invitation), status transitions, overdue, lists."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, AuditEvent, Invitation, Supplier
from app.models.assessment import TRANSITIONS
from app.services import Actor, ServiceError
from app.services import assessments as svc
from app.services.invitations import InvitationSettings, status_of
from tests.factories import (
    MINI_TEMPLATE,
    make_assessment,
    make_connection,
    make_supplier,
    make_template_version,
    make_user,
)

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 9, 30)
ANALYST = Actor(user_id=None, email="analyst@example.com", role="analyst")
SETTINGS = InvitationSettings(secret_key="test-secret", days=14, base_url="https://cl.example")
CONNECTION_DOC = {**MINI_TEMPLATE, "key": "conn-sec", "name": "Connection Security"}
CONNECTION_DOC["scope"] = "connection"


def _send(data, **kwargs):
    return svc.send(db.session, ANALYST, data, today=TODAY, settings=SETTINGS, now=NOW, **kwargs)


@pytest.fixture
def world(app):
    with app.app_context():
        supplier = make_supplier(
            db.session, legal_name="Công ty TNHH Thép Việt", contact_email="qa@thep.example"
        )
        other = make_supplier(db.session, legal_name="深圳精密电子有限公司")
        link = make_connection(db.session, supplier, name="EDI orders")
        foreign_link = make_connection(db.session, other, name="Other link")
        version = make_template_version(db.session)
        draft = make_template_version(db.session, status="draft")
        conn_version = make_template_version(db.session, CONNECTION_DOC)
        db.session.commit()
        return {
            "supplier": supplier.id,
            "other": other.id,
            "link": link.id,
            "foreign_link": foreign_link.id,
            "version": version.id,
            "draft": draft.id,
            "conn_version": conn_version.id,
        }


def _data(world, **overrides):
    data = {
        "supplier": str(world["supplier"]),
        "connection": "",
        "template_version": str(world["version"]),
        "due_on": "2026-12-31",
        "email": "",
        "message": "Please answer before year end.",
    }
    data.update(overrides)
    return data


def test_send_makes_assessment_invitation_and_audit(app, world):
    with app.app_context():
        sent = _send(_data(world))
        db.session.commit()
        a = db.session.get(Assessment, sent.assessment.id)
        assert a.status == "sent" and a.round == 1
        assert a.supplier_id == world["supplier"] and a.connection_id is None
        assert a.due_on == dt.date(2026, 12, 31)
        assert a.message == "Please answer before year end."
        invitation = db.session.scalar(select(Invitation).where(Invitation.assessment_id == a.id))
        # The contact address on record is the default.
        assert invitation.email == "qa@thep.example"
        assert invitation.expires_at == NOW + dt.timedelta(days=14)
        assert status_of(invitation, NOW) == "pending"
        assert sent.invitation.link.startswith("https://cl.example/portal/invite/")
        actions = [
            (e.action, e.entity_type)
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
        assert ("send", "assessment") in actions and ("invite", "invitation") in actions


def test_send_scoped_to_a_connection_of_the_supplier(app, world):
    with app.app_context():
        sent = _send(
            _data(
                world,
                connection=str(world["link"]),
                template_version=str(world["conn_version"]),
                email="Someone@Thep.Example",
            )
        )
        assert sent.assessment.connection_id == world["link"]
        assert sent.invitation.invitation.email == "someone@thep.example"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"due_on": "2026-11-24"}, "due_on", "past"),
        ({"due_on": ""}, "due_on", "required"),
        ({"due_on": "31/31/2020"}, "due_on", "Not a date"),
        ({"due_on": "2999-01-01"}, "due_on", "within"),
        ({"supplier": ""}, "supplier", "Choose"),
        ({"supplier": "424242"}, "supplier", "No supplier"),
        ({"supplier": "99999999999999999999"}, "supplier", "No supplier"),
        ({"supplier": "abc"}, "supplier", "No supplier"),
        ({"template_version": ""}, "template_version", "Choose"),
        ({"template_version": "424242"}, "template_version", "No questionnaire"),
        ({"email": "not-an-email"}, "email", ""),
        ({"message": "x" * 5001}, "message", "At most 5000"),
        ({"message": "bad\x1bescape"}, "message", "control"),
    ],
)
def test_send_refuses_bad_input_and_writes_nothing(app, world, overrides, field, message):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            _send(_data(world, **overrides))
        db.session.rollback()
        assert field in caught.value.errors
        assert message in caught.value.errors[field]
        assert db.session.scalar(select(Assessment.id)) is None
        assert db.session.scalar(select(Invitation.id)) is None


def test_send_refuses_a_connection_of_another_supplier(app, world):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            _send(_data(world, connection=str(world["foreign_link"])))
        assert caught.value.errors["connection"] == "This connection belongs to another supplier."


def test_send_refuses_an_unpublished_version(app, world):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            _send(_data(world, template_version=str(world["draft"])))
        assert "draft" in caught.value.errors["template_version"]


def test_connection_template_needs_a_connection(app, world):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            _send(_data(world, template_version=str(world["conn_version"])))
        assert "choose the connection" in caught.value.errors["template_version"]


def test_send_refuses_archived_supplier_and_missing_contact(app, world):
    with app.app_context():
        supplier = db.session.get(Supplier, world["other"])
        with pytest.raises(ServiceError) as caught:
            _send(_data(world, supplier=str(supplier.id)))
        assert "none is on record" in caught.value.errors["email"]
        supplier.archived_at = NOW
        db.session.flush()
        with pytest.raises(ServiceError) as caught:
            _send(_data(world, supplier=str(supplier.id), email="x@example.com"))
        assert "archived" in caught.value.errors["supplier"]


def test_send_refuses_an_address_of_staff_or_another_supplier(app, world):
    with app.app_context():
        make_user(db.session, "analyst", "staff@example.com")
        other = db.session.get(Supplier, world["other"])
        make_user(db.session, "supplier", "theirs@example.com", other)
        for email in ("staff@example.com", "THEIRS@example.com"):
            with pytest.raises(ServiceError) as caught:
                _send(_data(world, email=email))
            assert caught.value.errors["email"] == "Belongs to another account."


def test_next_round_links_the_previous_one(app, world):
    with app.app_context():
        first = _send(_data(world)).assessment
        second = _send(_data(world), previous=first).assessment
        assert second.round == 2 and second.previous_id == first.id
        with pytest.raises(ServiceError):
            _send(_data(world, supplier=str(world["other"]), email="a@b.example"), previous=first)


# --- transitions ----------------------------------------------------------------------


def _assessment(status="sent", due=TODAY + dt.timedelta(days=10), supplier=None):
    supplier = supplier or make_supplier(db.session)
    return make_assessment(db.session, supplier, status=status, due_on=due)


@pytest.mark.parametrize(
    ("start", "target"), [(s, t) for s, targets in TRANSITIONS.items() for t in targets]
)
def test_every_allowed_transition_is_made_and_audited(app, start, target):
    with app.app_context():
        a = _assessment(start)
        svc.transition(db.session, ANALYST, a, target, now=NOW)
        assert a.status == target
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "status").order_by(AuditEvent.id.desc())
        )
        assert event.before == {"status": start} and event.after == {"status": target}
        if target == "submitted":
            assert a.submitted_at == NOW
        if target == "approved":
            assert a.approved_at == NOW
        if target == "cancelled":
            assert a.cancelled_at == NOW


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("sent", "approved"),
        ("sent", "under_review"),
        ("in_progress", "approved"),
        ("approved", "in_progress"),
        ("approved", "cancelled"),
        ("cancelled", "sent"),
        ("submitted", "sent"),
    ],
)
def test_disallowed_transitions_are_refused_clearly(app, start, target):
    with app.app_context():
        a = _assessment(start)
        with pytest.raises(ServiceError) as caught:
            svc.transition(db.session, ANALYST, a, target)
        assert "cannot become" in caught.value.message
        assert a.status == start


def test_unknown_status_and_overdue_are_not_targets(app):
    with app.app_context():
        a = _assessment()
        for target in ("overdue", "draft", "", "APPROVED"):
            with pytest.raises(ServiceError, match="Unknown assessment status"):
                svc.transition(db.session, ANALYST, a, target)


def test_roles_limit_the_moves(app):
    with app.app_context():
        a = _assessment("sent")
        contact = Actor(None, "c@x.example", role="supplier", supplier_id=a.supplier_id)
        stranger = Actor(None, "s@x.example", role="supplier", supplier_id=a.supplier_id + 999)
        executive = Actor(None, "e@x.example", role="executive")
        with pytest.raises(ServiceError, match="read-only"):
            svc.transition(db.session, executive, a, "cancelled")
        with pytest.raises(ServiceError, match="supplier contact cannot"):
            svc.transition(db.session, contact, a, "cancelled")
        with pytest.raises(ServiceError, match="supplier contact cannot"):
            svc.transition(db.session, stranger, a, "in_progress")
        svc.transition(db.session, contact, a, "in_progress")
        svc.transition(db.session, contact, a, "submitted")
        with pytest.raises(ServiceError):
            svc.transition(db.session, contact, a, "approved")
        assert a.status == "submitted"


def test_cancel_revokes_pending_links(app, world):
    with app.app_context():
        sent = _send(_data(world))
        svc.cancel(db.session, ANALYST, sent.assessment, now=NOW)
        assert sent.assessment.status == "cancelled"
        assert status_of(sent.invitation.invitation, NOW) == "revoked"
        with pytest.raises(ServiceError, match="closed"):
            svc.cancel(db.session, ANALYST, sent.assessment)


# --- overdue and lists ----------------------------------------------------------------


def test_overdue_is_computed_for_open_assessments_only(app):
    with app.app_context():
        late = _assessment("in_progress", due=TODAY - dt.timedelta(days=1))
        late_done = _assessment("submitted", due=TODAY - dt.timedelta(days=1))
        due_today = _assessment("sent", due=TODAY)
        assert svc.display_status(late, TODAY) == "overdue"
        assert svc.display_status(late_done, TODAY) == "submitted"
        assert svc.display_status(due_today, TODAY) == "sent"
        db.session.commit()
        ids = db.session.scalars(
            svc.list_query(svc.AssessmentFilters(status="overdue"), TODAY)
        ).all()
        assert [a.id for a in ids] == [late.id]
        counts = svc.status_counts(db.session, TODAY)
        assert counts["overdue"] == 1 and counts["in_progress"] == 1 and counts["sent"] == 1


def test_list_filters_and_sorts(app):
    with app.app_context():
        a_sup = make_supplier(db.session, legal_name="Müller Präzisionsteile GmbH")
        b_sup = make_supplier(db.session, legal_name="İstanbul Lojistik A.Ş.")
        other_doc = {**MINI_TEMPLATE, "key": "other", "name": "Another questionnaire"}
        v2 = make_template_version(db.session, other_doc)
        first = _assessment("sent", due=TODAY + dt.timedelta(days=5), supplier=a_sup)
        second = make_assessment(
            db.session, b_sup, v2, status="approved", due_on=TODAY + dt.timedelta(days=50)
        )
        db.session.commit()

        def ids(**kwargs):
            query = svc.list_query(svc.AssessmentFilters(**kwargs), TODAY)
            return [a.id for a in db.session.scalars(query).unique()]

        assert ids() == [first.id, second.id]
        assert ids(sort="-due") == [second.id, first.id]
        assert ids(status="approved") == [second.id]
        assert ids(supplier_id=a_sup.id) == [first.id]
        assert ids(template_id=v2.template_id) == [second.id]
        assert ids(due_before=TODAY + dt.timedelta(days=6)) == [first.id]
        assert ids(sort="supplier") == [second.id, first.id]  # İstanbul before Müller
        assert set(ids(sort="-template")) == {first.id, second.id}


def test_filters_from_args_ignore_garbage():
    filters = svc.AssessmentFilters.from_args(
        {
            "status": "god",
            "supplier_id": "-1",
            "template_id": "99999999999999999999",
            "due_before": "31/31/2020",
            "sort": "-nonsense",
        }
    )
    assert filters == svc.AssessmentFilters()
    assert not filters.active
    good = svc.AssessmentFilters.from_args(
        {"status": "overdue", "due_before": "2026-12-01", "sort": "-sent"}
    )
    assert good.status == "overdue" and good.due_before == dt.date(2026, 12, 1)
    assert good.sort == "-sent" and good.active


def test_choices_for_the_send_form(app, world):
    with app.app_context():
        versions = dict(svc.version_choices(db.session))
        assert world["version"] in versions and world["conn_version"] in versions
        assert world["draft"] not in versions
        assert "one connection" in versions[world["conn_version"]]
        assert svc.connection_choices(db.session, world["supplier"]) == [
            (world["link"], "EDI orders")
        ]


def test_get_for_hides_other_suppliers_assessments(app):
    with app.app_context():
        a = _assessment()
        own = Actor(None, "c@x.example", role="supplier", supplier_id=a.supplier_id)
        other = Actor(None, "o@x.example", role="supplier", supplier_id=a.supplier_id + 1)
        assert svc.get_for(db.session, own, a.id) is a
        assert svc.get_for(db.session, other, a.id) is None
        assert svc.get_for(db.session, ANALYST, a.id) is a
        assert svc.get_for(db.session, ANALYST, "99999999999999999999") is None


def test_progress_and_timeline(app, world):
    with app.app_context():
        sent = _send(_data(world))
        db.session.flush()
        progress = svc.progress_of(sent.assessment)
        assert progress.done == 0 and progress.required == 2  # policy and mfa; owner hidden
        events = svc.timeline(db.session, sent.assessment)
        assert [e.action for e in events] == ["send", "invite"]
