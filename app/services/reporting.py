"""Report schedules and runs: define when which report goes to whom, find what is due,
claim each due run exactly once, make the PDF, archive it and e-mail it.

Cadences come down to a crontab read by APScheduler's CronTrigger in the schedule's own
timezone. A run is keyed by (schedule, fire time): inserting that key is how a runner
claims it, so a second runner (or a second tick) can never make the same report twice.
After downtime only the latest missed fire time is made (caught up once, not many times).
Web requests ("send now") write a queued run that the job runner picks up.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import ReportRun, ReportSchedule, Supplier
from app.models.base import utcnow
from app.models.report import CADENCES, REPORT_KINDS
from app.services import Actor, ServiceError
from app.services import validation as v
from app.services.audit import changes, record, snapshot
from reports.registry import page_count

CADENCE_CRON = {
    "weekly": "0 7 * * mon",
    "monthly": "0 7 1 * *",
    "quarterly": "0 7 1 1,4,7,10 *",
}
MAX_RECIPIENTS = 50
LOOKBACK = dt.timedelta(days=400)  # how far back a due fire time is looked for
MAX_STEPS = 20_000  # fire times walked through when looking for the latest due one
ADMINS = ("admin",)
FIELDS_STORED = ("name", "kind", "supplier_id", "cadence", "cron", "timezone", "recipients",
                 "active")  # fmt: skip


def trigger(cron: str, timezone: str) -> CronTrigger:
    """APScheduler's trigger for a crontab in a timezone (ValueError when either is bad)."""
    return CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def latest_due(
    schedule: ReportSchedule, now: dt.datetime, since: dt.datetime
) -> dt.datetime | None:
    """The last fire time in (since, now], or None: the one run a runner owes."""
    cron = trigger(schedule.cron, schedule.timezone)
    now, since = _aware(now), max(_aware(since), _aware(now) - LOOKBACK)
    fire = cron.get_next_fire_time(None, since + dt.timedelta(microseconds=1))
    latest = None
    for _ in range(MAX_STEPS):
        if fire is None or fire > now:
            break
        latest = fire
        fire = cron.get_next_fire_time(fire, fire)
    return latest


def fire_key(fire: dt.datetime) -> str:
    """A fire time as a run's period key (UTC, to the minute)."""
    return _aware(fire).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def next_due(schedule: ReportSchedule, now: dt.datetime) -> dt.datetime | None:
    """When the schedule fires next (for the schedules page)."""
    return trigger(schedule.cron, schedule.timezone).get_next_fire_time(None, _aware(now))


def _months_back(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_for(schedule: ReportSchedule, fire: dt.datetime) -> tuple[dt.date, dt.date]:
    """The period a scheduled report covers: from the previous fire date to this one."""
    end = _aware(fire).astimezone(ZoneInfo(schedule.timezone)).date()
    if schedule.cadence == "weekly":
        return end - dt.timedelta(days=7), end
    if schedule.cadence == "monthly":
        return _months_back(end, 1), end
    if schedule.cadence == "quarterly":
        return _months_back(end, 3), end
    previous = latest_due(schedule, _aware(fire) - dt.timedelta(seconds=1), _aware(fire) - LOOKBACK)
    start = previous.astimezone(ZoneInfo(schedule.timezone)).date() if previous else None
    return (start if start and start < end else end - dt.timedelta(days=30)), end


# --- schedules -------------------------------------------------------------------------------


def _clean(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = v.collect(errors, "name", v.text, data.get("name"), max_len=120, required=True)
    kind = data.get("kind")
    if kind not in REPORT_KINDS:
        errors["kind"] = "Choose the portfolio or the supplier report."
    supplier_id = None
    if kind == "supplier":
        supplier = session.get(Supplier, v.record_id(data.get("supplier")) or 0)
        if supplier is None or supplier.archived_at is not None:
            errors["supplier"] = "A supplier report needs a live supplier."
        else:
            supplier_id = supplier.id
    cadence = data.get("cadence")
    cron = ""
    if cadence not in CADENCES:
        errors["cadence"] = "Choose weekly, monthly, quarterly or a cron expression."
    elif cadence == "cron":
        cron = " ".join(str(data.get("cron") or "").split())
        if not cron:
            errors["cron"] = "Give a cron expression, e.g. “0 7 * * mon” (Mondays 07:00)."
    else:
        cron = CADENCE_CRON[cadence]
    timezone = str(data.get("timezone") or "UTC").strip()
    if timezone not in available_timezones() and timezone != "UTC":
        errors["timezone"] = f"Unknown timezone {timezone[:40]!r}; use a name like Europe/Berlin."
    elif cron and "cron" not in errors:
        try:
            trigger(cron, timezone)
        except (ValueError, ZoneInfoNotFoundError) as exc:
            errors["cron"] = f"Not a valid cron expression: {str(exc)[:120]}"
        else:
            if cadence == "cron" and not cron.split()[0].isdigit():
                errors["cron"] = "A report runs at most once an hour: give one minute (0-59)."
    recipients: list[str] = []
    raw = str(data.get("recipients") or "").replace(",", "\n").replace(";", "\n")
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            recipients.append(v.email(line, required=True))
        except v.FieldError as exc:
            errors["recipients"] = str(exc)
            break
    if len(recipients) > MAX_RECIPIENTS:
        errors["recipients"] = f"At most {MAX_RECIPIENTS} recipients."
    if errors:
        raise ServiceError("The schedule was not saved.", errors)
    return {
        "name": name,
        "kind": kind,
        "supplier_id": supplier_id,
        "cadence": cadence,
        "cron": cron,
        "timezone": timezone,
        "recipients": "\n".join(dict.fromkeys(recipients)),
        # An unticked box sends nothing: "active" present but blank means off.
        "active": v.boolean(data["active"], default=False) if "active" in data else True,
    }


def _admin(actor: Actor) -> None:
    if actor.role not in ADMINS and actor.role != "system":
        raise ServiceError("Only an administrator manages report schedules.")


def create_schedule(session: Session, actor: Actor, data: Mapping[str, Any]) -> ReportSchedule:
    """Add a report schedule (administrators)."""
    _admin(actor)
    values = _clean(session, data)
    schedule = ReportSchedule(created_by_id=actor.user_id, **values)
    session.add(schedule)
    session.flush()
    after = snapshot(schedule, FIELDS_STORED)
    summary = f"Report schedule “{schedule.name}”"
    record(session, actor, "schedule_create", "report_schedule", schedule.id, summary, None, after)
    return schedule


def update_schedule(
    session: Session, actor: Actor, schedule: ReportSchedule, data: Mapping[str, Any]
) -> ReportSchedule:
    """Change a schedule (administrators); audited with what changed."""
    _admin(actor)
    values = _clean(session, data)
    before = snapshot(schedule, FIELDS_STORED)
    for key, value in values.items():
        setattr(schedule, key, value)
    session.flush()
    after = snapshot(schedule, FIELDS_STORED)
    if before != after:
        old, new = changes(before, after)
        record(session, actor, "schedule_edit", "report_schedule", schedule.id,
               f"Report schedule “{schedule.name}” changed", old, new)  # fmt: skip
    return schedule


def delete_schedule(session: Session, actor: Actor, schedule: ReportSchedule) -> None:
    """Remove a schedule; its archived runs stay (without the link)."""
    _admin(actor)
    before = snapshot(schedule, FIELDS_STORED)
    summary = f"Report schedule “{schedule.name}” deleted"
    record(session, actor, "schedule_delete", "report_schedule", schedule.id, summary, before, None)
    # ON DELETE SET NULL by hand: SQLite does not enforce foreign keys here.
    session.execute(
        update(ReportRun).where(ReportRun.schedule_id == schedule.id).values(schedule_id=None)
    )
    session.delete(schedule)
    session.flush()


# --- runs ------------------------------------------------------------------------------------


def request_run(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    supplier_id: int | None = None,
    schedule: ReportSchedule | None = None,
    send: bool = False,
    today: dt.date | None = None,
) -> ReportRun:
    """A report asked for now ("send this report now"): a queued run the job runner makes."""
    if actor.role not in ("admin", "system"):
        raise ServiceError("Only an administrator asks for a report to be made and sent.")
    today = today or dt.date.today()
    if schedule is not None:
        kind, supplier_id = schedule.kind, schedule.supplier_id
    if kind not in REPORT_KINDS:
        raise ServiceError("Unknown report kind.")
    if kind == "supplier" and session.get(Supplier, supplier_id or 0) is None:
        raise ServiceError("A supplier report needs a supplier.")
    if send and (schedule is None or not schedule.recipient_list):
        raise ServiceError("This schedule has no recipients to send the report to.")
    start = _months_back(today, 1)
    if schedule is not None:
        start = period_for(schedule, dt.datetime.combine(today, dt.time(), dt.UTC))[0]
    run = ReportRun(
        schedule_id=schedule.id if schedule else None,
        kind=kind,
        supplier_id=supplier_id if kind == "supplier" else None,
        trigger="request",
        period_key=f"request-{utcnow().isoformat()}",
        period_start=start,
        period_end=today,
        status="queued",
        send=send,
        requested_by_id=actor.user_id,
        requested_by_email=actor.email[:255],
    )
    session.add(run)
    session.flush()
    run.period_key = f"request-{run.id}"
    record(session, actor, "report_request", "report_run", run.id,
           f"{REPORT_KINDS[kind]} requested" + (" (to be e-mailed)" if send else ""))  # fmt: skip
    return run


def claim_due(session: Session, now: dt.datetime | None = None) -> list[int]:
    """Claim the latest due run of every active schedule that has not been made; returns the
    claimed run ids. Each claim commits on its own: a claim another runner made first fails
    on the unique (schedule, period) key and is skipped."""
    now = _aware(now or dt.datetime.now(dt.UTC))
    claimed = []
    schedules = session.scalars(select(ReportSchedule).where(ReportSchedule.active.is_(True)))
    for schedule in schedules.all():
        try:
            fire = latest_due(schedule, now, schedule.created_at)
        except (ValueError, ZoneInfoNotFoundError):
            continue  # validated when saved; a timezone database change must not stop the rest
        if fire is None:
            continue
        key = fire_key(fire)
        exists = session.scalar(
            select(ReportRun.id).where(
                ReportRun.schedule_id == schedule.id, ReportRun.period_key == key
            )
        )
        if exists:
            continue
        start, end = period_for(schedule, fire)
        run = ReportRun(
            schedule_id=schedule.id, kind=schedule.kind, supplier_id=schedule.supplier_id,
            trigger="schedule", period_key=key, period_start=start, period_end=end,
            status="running", send=bool(schedule.recipient_list), started_at=utcnow(),
        )  # fmt: skip
        session.add(run)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another runner claimed it a moment ago
            continue
        claimed.append(run.id)
    return claimed


def claim_queued(session: Session) -> list[int]:
    """Claim the requested runs waiting in the queue (a conditional update per run, so two
    runners never take the same one)."""
    claimed = []
    for run_id in session.scalars(
        select(ReportRun.id).where(ReportRun.status == "queued").order_by(ReportRun.id)
    ).all():
        result = session.execute(
            update(ReportRun)
            .where(ReportRun.id == run_id, ReportRun.status == "queued")
            .values(status="running", started_at=utcnow())
        )
        session.commit()
        if result.rowcount == 1:
            claimed.append(run_id)
    return claimed


@dataclass(frozen=True)
class Storage:
    """Where archived PDFs go (the upload store) and the organisation's name for covers."""

    root: Path
    org_name: str


def storage_for(app) -> Storage:
    """Where this app archives report PDFs, and the name on their covers."""
    from app.extensions import db
    from app.services import risk

    name = risk.organisation_name(db.session) or app.config["CHAINLIGHT_ORG_NAME"]
    return Storage(root=Path(app.config["CHAINLIGHT_UPLOAD_DIR"]), org_name=name)


def previous_facts(session: Session, excluding: ReportRun | None = None) -> dict | None:
    """What the last archived portfolio report recorded (other than `excluding`), for the
    next one's "changes since the last report"."""
    stmt = select(ReportRun.facts).where(
        ReportRun.kind == "portfolio",
        ReportRun.status == "succeeded",
        ReportRun.facts.is_not(None),
    )
    if excluding is not None:
        stmt = stmt.where(ReportRun.id != excluding.id)
    return session.scalar(stmt.order_by(ReportRun.finished_at.desc(), ReportRun.id.desc()).limit(1))


def build(
    session: Session,
    kind: str,
    *,
    org_name: str,
    today: dt.date,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    supplier_id: int | None = None,
    previous: dict | None = None,
) -> tuple[bytes, dict | None]:
    """The PDF of a report (and, for the portfolio, the facts the next one compares with)."""
    from app.services import report_data

    rendered = report_data.render(
        session, kind, org_name=org_name, today=today, supplier_id=supplier_id,
        period_start=period_start or _months_back(period_end or today, 1),
        period_end=period_end or today, previous_facts=previous,
    )  # fmt: skip
    return rendered.pdf, rendered.facts


def file_name(run: ReportRun, supplier_code: str = "") -> str:
    scope = f"-{supplier_code}" if supplier_code else ""
    return f"chainlight-{run.kind}{scope}-{run.period_end.isoformat()}.pdf"


def make(session: Session, run: ReportRun, storage: Storage, today: dt.date) -> bytes:
    """Build a claimed run's PDF and archive it on the run (flushes; raises on failure)."""
    from app.services import files as file_store

    pdf, facts = build(
        session, run.kind, org_name=storage.org_name, today=today,
        period_start=run.period_start, period_end=run.period_end,
        supplier_id=run.supplier_id, previous=previous_facts(session, excluding=run),
    )  # fmt: skip
    code = run.supplier.code if run.supplier is not None else ""
    stored = file_store.store(
        session, Actor.system("reports"), file_store.Upload(file_name(run, code), pdf),
        root=storage.root, supplier_id=run.supplier_id, max_bytes=MAX_PDF_BYTES,
    )  # fmt: skip
    run.file_id, run.size, run.pages, run.facts = stored.id, len(pdf), page_count(pdf), facts
    run.status, run.error, run.finished_at = "succeeded", "", utcnow()
    session.flush()
    return pdf


def execute(session: Session, run_id: int, storage: Storage, today: dt.date) -> ReportRun:
    """Make a claimed run's PDF, archive it, e-mail it when asked; a failure is recorded on
    the run (status failed, the reason), never raised. Commits."""
    run = session.get(ReportRun, run_id)
    try:
        pdf = make(session, run, storage, today)
        session.commit()
    except Exception as exc:  # noqa: BLE001 - the reason is kept on the run for the admin
        session.rollback()
        run = session.get(ReportRun, run_id)
        run.status, run.finished_at = "failed", utcnow()
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        session.commit()
        return run
    if run.send:
        deliver(session, run, pdf, storage.org_name)
    return run


MAX_PDF_BYTES = 200 * 1024 * 1024


def deliver(session: Session, run: ReportRun, pdf: bytes, org_name: str) -> bool:
    """E-mail the PDF to the schedule's recipients (when a mail server is configured)."""
    from app.services import mail

    recipients = run.schedule.recipient_list if run.schedule is not None else []
    if not recipients:
        return False
    title = REPORT_KINDS[run.kind]
    scope = f" — {run.supplier.legal_name}" if run.supplier is not None else ""
    email = mail.Email(
        subject=" ".join(f"{org_name}: {title}{scope}, {run.period_end.isoformat()}".split())[:200],
        body="\n".join(
            [
                "Hello,",
                "",
                f"Attached is the {title.lower()}{scope} for {run.period_start.isoformat()} to "
                f"{run.period_end.isoformat()} ({run.pages} pages).",
                "",
                f"— {org_name}, via Chainlight",
            ]
        ),
        attachments=(mail.Attachment(file_name(run), "application/pdf", pdf),),
    )
    try:
        sent = mail.send(recipients, email)
    except mail.MailError as exc:
        run.error = f"Made, but not e-mailed: {exc}"[:2000]
        session.commit()
        return False
    if sent:
        run.emailed_to = "\n".join(recipients)
        record(session, Actor.system("reports"), "report_email", "report_run", run.id,
               f"{title} e-mailed to {len(recipients)} recipient(s)")  # fmt: skip
    else:
        run.error = "Not e-mailed: no mail server is configured."
    session.commit()
    return sent
