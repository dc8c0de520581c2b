"""The audit trail is a hash chain; `flask audit verify` finds the first broken event."""

from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEvent
from app.services import Actor
from app.services.audit import GENESIS, record, verify_chain


def _write_events(app, n=3):
    with app.app_context():
        actor = Actor(user_id=None, email="tester@example.com")
        for i in range(n):
            record(
                db.session,
                actor,
                "update",
                "supplier",
                i,
                f"Event {i}",
                before={"name": "Công ty"},
                after={"name": "深圳", "n": i},
            )
        db.session.commit()


def test_chain_links_each_event_to_the_previous(app):
    _write_events(app)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert events[0].prev_hash == GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        assert verify_chain(db.session).ok


def test_verify_cli_passes_on_intact_chain(app, runner):
    _write_events(app)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "3 events verified" in result.output


def test_verify_cli_names_the_tampered_event(app, runner):
    _write_events(app)
    with app.app_context():
        second = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[1]
        db.session.execute(
            text("UPDATE audit_event SET summary = 'forged' WHERE id = :id"), {"id": second}
        )
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {second}" in result.output


def test_verify_detects_a_deleted_event(app):
    _write_events(app, 4)
    with app.app_context():
        ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
        db.session.commit()
        report = verify_chain(db.session)
    assert not report.ok and report.broken_id == ids[2]


def test_concurrent_writers_keep_one_chain_on_postgresql(app):
    """Several workers appending at once: the advisory lock serialises them, nothing forks."""
    import threading

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            import pytest

            pytest.skip("SQLite is the single-process default; concurrency is PostgreSQL's job")
    errors = []

    def writer(n: int) -> None:
        try:
            with app.app_context():
                actor = Actor(user_id=None, email=f"worker{n}@example.com")
                for i in range(15):
                    record(db.session, actor, "update", "supplier", i, f"w{n} e{i}")
                    db.session.commit()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        report = verify_chain(db.session)
    assert report.ok and report.checked == 60


def test_chain_watch_checks_new_events_and_walks_fully_on_schedule(app):
    from app.services.audit import ChainWatch

    now = {"t": 0.0}
    watch = ChainWatch(full_every=600, clock=lambda: now["t"])
    _write_events(app, 3)
    with app.app_context():
        first = watch.status(db.session)
        assert first.ok and first.checked == 3
        ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    _write_events(app, 2)
    with app.app_context():
        assert watch.status(db.session).checked == 5  # only the two new ones were walked
        # An older event changes: the cheap check cannot see it, the scheduled full walk does.
        db.session.execute(
            text("UPDATE audit_event SET summary = 'forged' WHERE id = :id"), {"id": ids[0]}
        )
        db.session.commit()
        assert watch.status(db.session).ok
        now["t"] = 601
        report = watch.status(db.session)
    assert not report.ok and report.broken_id == ids[0]


def test_chain_watch_walks_fully_when_its_anchor_is_gone(app):
    from app.services.audit import ChainWatch

    watch = ChainWatch(full_every=600, clock=lambda: 0.0)
    _write_events(app, 3)
    with app.app_context():
        assert watch.status(db.session).ok
        last = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first()
        db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": last})
        db.session.commit()
        report = watch.status(db.session)
    assert report.ok and report.checked == 2  # re-walked from the start, not from the anchor
