"""Demo data: a believable manufacturing network built through the real use cases.

`build_demo()` creates demo staff, the curated suppliers of app.services.demo_data
(with their connections, 4th parties, supplier contacts and one archived supplier)
and, when more suppliers are asked for, generated ones with about three connections
each. It is deterministic (every random draw comes from a `random.Random` seeded with
the seed and the record's key) and idempotent: suppliers are matched on code,
connections on (supplier, name), users on e-mail, and what exists is left alone.

Two paths write generated suppliers:
- audited (the default up to BULK_THRESHOLD generated suppliers): create_supplier,
  create_connection and set_sub_suppliers, one audit event per change, like a person
  entering them;
- bulk (above the threshold, or when asked; meant for benchmark-size inventories such
  as 10,000 suppliers): batched INSERTs of pre-validated rows and ONE summary audit
  event ("bulk_create") naming the counts, the code range and the seed. One event per
  row would make seeding take minutes and bury the trail under generated noise.
  It skips generated suppliers whose code exists, with their connections.
The curated network and the users always take the audited path.

Then app.services.demo_assessments adds the questionnaire side: the control catalogs and
shipped templates (synced like the CLI does), certificates, and assessments in every
status with answers, evidence, reviews and a second round.

Last, app.services.demo_findings works findings through the remediation workflow (plans,
milestones, evidence, a verification, risk acceptances that end soon, later or lapsed, an
overdue plan), after the risk history so that the verified one re-scores its supplier today.

Risk snapshots tell a history: the suppliers created by a run are first scored as their
network stood HISTORY_START_DAYS_AGO, the connections of demo_data.EARLIER_VALUES are
changed CHANGED_DAYS_AGO (scored then), the approved past rounds of demo_data.APPROVED_HISTORY
are scored on the days they were approved, and the certificates and other assessments come
today; a last recompute scores everyone. A repeated run finds nothing to score.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.models import (
    Connection,
    ConnectionDataClass,
    Supplier,
    User,
    supplier_links,
)
from app.models.base import utcnow
from app.models.text import normalise, search_key
from app.services import Actor, ServiceError, risk
from app.services import demo_data as data
from app.services.audit import record
from app.services.connections import create_connection, update_connection
from app.services.demo_assessments import (
    QuestionnaireResult,
    Storage,
    build_questionnaires,
    sync_shipped,
)
from app.services.demo_findings import build_findings
from app.services.demo_reports import build_reports
from app.services.suppliers import archive_supplier, create_supplier, set_sub_suppliers
from app.services.users import create_user

DEFAULT_SEED = 2024
BULK_THRESHOLD = 100
BATCH_SIZE = 1000
MAX_SUPPLIERS = 200_000
CREDENTIALED = {"certificate", "mtls", "api_key", "oauth2_client_credentials", "password"}
CURATED_CODES = frozenset(row[0] for row in data.SUPPLIERS)
# A connection's default status follows its supplier's.
LINK_STATUS = {"onboarding": "planned", "suspended": "suspended", "offboarded": "retired"}


class SupplierSpec(NamedTuple):
    """One supplier to create (a row of demo_data.SUPPLIERS, or a generated one)."""

    code: str
    legal_name: str
    country: str
    category: str
    criticality: str
    single_source: bool
    status: str
    owner: str | None
    domain: str
    profile: str
    connections: int
    reassess_in: int | None
    notes: str


class Template(NamedTuple):
    """One connection template (a row of demo_data.PROFILES)."""

    name: str
    kind: str
    direction: str
    internal_system: str
    data_classes: list[str]
    authentication: str
    encryption: str
    integration_layer: str
    access_level: str
    endpoint: str


@dataclass
class DemoResult:
    """What one run created (all zero on a repeated run)."""

    suppliers: int = 0
    connections: int = 0
    users: int = 0
    links: int = 0
    bulk: bool = False
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    questionnaires: QuestionnaireResult = field(default_factory=QuestionnaireResult)
    findings: int = 0  # demo_data.FINDINGS rows worked through the remediation workflow
    reports: int = 0  # the monthly portfolio schedule with last month's run archived

    @property
    def network_changed(self) -> bool:
        return bool(self.suppliers or self.connections or self.users or self.links)

    @property
    def changed(self) -> bool:
        return (
            self.network_changed
            or self.questionnaires.changed
            or bool(self.findings or self.reports)
        )


@dataclass
class _Context:
    session: Session
    actor: Actor
    today: dt.date
    seed: int
    owners: dict[str, int] = field(default_factory=dict)
    result: DemoResult = field(default_factory=DemoResult)
    created: list[int] = field(default_factory=list)  # suppliers this run created
    later: list[tuple[Connection, dict]] = field(default_factory=list)  # EARLIER_VALUES links


def build_demo(
    session: Session,
    actor: Actor,
    *,
    suppliers: int | None = None,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    bulk: bool | None = None,
    questionnaires: bool = True,
    storage: Storage | None = None,
) -> DemoResult:
    """Create whatever of the demo network is missing (flushes; the caller commits).

    `suppliers` is the total wanted (default: the curated network); below the curated
    count the first ones are taken, above it the rest are generated. `bulk` forces
    (True) or forbids (False) the bulk path for generated suppliers; None chooses it
    above BULK_THRESHOLD. `questionnaires=False` leaves out the questionnaire side
    (catalogs, templates, certificates, assessments) and the findings; `storage` is where
    their files go (default: the app's upload folder).
    """
    total = len(data.SUPPLIERS) if suppliers is None else suppliers
    if not isinstance(total, int) or not 1 <= total <= MAX_SUPPLIERS:
        raise ServiceError(
            f"Ask for between 1 and {MAX_SUPPLIERS} suppliers.",
            {"suppliers": "Out of range."},
        )
    ctx = _Context(session, actor, today or dt.date.today(), seed)
    # Catalogs first, so every snapshot (the backdated ones too) measures the same controls.
    synced = sync_shipped(session, actor) if questionnaires else None
    now = utcnow()
    # The network as it stood HISTORY_START_DAYS_AGO: one first score per new supplier.
    with risk.batch(
        session, now=now - dt.timedelta(days=data.HISTORY_START_DAYS_AGO), trigger="demo"
    ):
        _ensure_staff(ctx)
        by_code = _ensure_curated(ctx, [SupplierSpec._make(r) for r in data.SUPPLIERS[:total]])
        _ensure_contacts(ctx, by_code)
        extras = total - len(data.SUPPLIERS)
        if extras > 0:
            plan = [generated_spec(i, seed) for i in range(extras)]
            ctx.result.bulk = bulk if bulk is not None else extras > BULK_THRESHOLD
            if ctx.result.bulk:
                _bulk_generated(ctx, plan)
            else:
                for spec in plan:
                    _ensure_supplier_tree(ctx, spec, _subs_for(spec, seed))
        risk.refresh(session, "demo", *ctx.created)  # the bulk-inserted ones too
    # The changes of demo_data.EARLIER_VALUES, made CHANGED_DAYS_AGO.
    with risk.batch(session, now=now - dt.timedelta(days=data.CHANGED_DAYS_AGO)):
        for connection, values in ctx.later:
            update_connection(session, ctx.actor, connection, values, today=ctx.today)
    if questionnaires:
        ctx.result.questionnaires = build_questionnaires(
            session, actor, today=ctx.today, seed=seed, storage=storage, synced=synced
        )
        ctx.result.users += ctx.result.questionnaires.users
    risk.recompute(session, "demo", today=ctx.today)
    if questionnaires:
        ctx.result.findings = build_findings(session, today=ctx.today, storage=storage)
        ctx.result.reports = build_reports(
            session, today=ctx.today, root=storage.root if storage else None
        )
    ctx.result.logins = demo_logins(session)
    return ctx.result


def demo_logins(session: Session) -> list[tuple[str, str, str]]:
    """(role, e-mail, supplier name) of the demo users present, staff first."""
    emails = [u[0] for u in data.STAFF_USERS + data.CONTACT_USERS + data.INVITED_CONTACTS]
    users = {
        u.email: u for u in session.scalars(select(User).where(User.email.in_(emails))) if u.active
    }
    return [
        (users[e].role, e, users[e].supplier.legal_name if users[e].supplier else "")
        for e in emails
        if e in users
    ]


# -- users -------------------------------------------------------------------------


def _user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _ensure_user(ctx: _Context, email: str, role: str, name: str, supplier_id=None) -> User:
    user = _user_by_email(ctx.session, email)
    if user is None:
        user = create_user(
            ctx.session,
            ctx.actor,
            email=email,
            role=role,
            password=data.DEMO_PASSWORD,
            name=name,
            supplier_id=supplier_id,
        )
        ctx.result.users += 1
    return user


def _ensure_staff(ctx: _Context) -> None:
    for email, role, name, _ in data.STAFF_USERS:
        user = _ensure_user(ctx, email, role, name)
        if user.active and user.role in ("admin", "analyst"):
            ctx.owners[email] = user.id
    ctx.owners.update(
        {key: ctx.owners[email] for key, email in data.OWNERS.items() if email in ctx.owners}
    )


def _ensure_contacts(ctx: _Context, by_code: dict[str, Supplier]) -> None:
    for email, role, name, code in data.CONTACT_USERS:
        supplier = by_code.get(code)
        if supplier is not None and not supplier.archived:
            _ensure_user(ctx, email, role, name, supplier.id)


# -- suppliers and connections ------------------------------------------------------


def _rng(seed: int, *key: Any) -> random.Random:
    """A generator private to one record, so its values never depend on the others."""
    return random.Random(":".join(str(k) for k in (seed, *key)))


def supplier_values(spec: SupplierSpec, today: dt.date, owner_id: int | None) -> dict:
    """The create_supplier input for a spec."""
    reassess = today + dt.timedelta(days=spec.reassess_in) if spec.reassess_in else None
    return {
        "code": spec.code,
        "legal_name": spec.legal_name,
        "country": spec.country,
        "category": spec.category,
        "criticality": spec.criticality,
        "single_source": spec.single_source,
        "status": spec.status,
        "owner": owner_id,
        "website": f"https://www.{spec.domain}",
        "contact_email": f"sales@{spec.domain}",
        "next_reassessment_on": reassess,
        "notes": spec.notes,
    }


def connection_values(
    spec: SupplierSpec, template: Template, seed: int, today: dt.date
) -> dict[str, Any]:
    """The create_connection input for one template of a supplier (overrides applied)."""
    rng = _rng(seed, spec.code, template.name)
    values: dict[str, Any] = template._asdict()
    values["last_reviewed_on"] = today - dt.timedelta(days=rng.randint(15, 330))
    expiry = today + dt.timedelta(days=rng.randint(45, 540))
    values["status"] = LINK_STATUS.get(spec.status, "active")
    values["notes"] = ""
    override = dict(data.OVERRIDES.get((spec.code, template.name), {}))
    if not override and spec.code not in CURATED_CODES:
        override = _random_flags(rng)
    if "reviewed" in override:
        days = override.pop("reviewed")
        values["last_reviewed_on"] = None if days is None else today - dt.timedelta(days=days)
    if "expires" in override:
        expiry = today + dt.timedelta(days=override.pop("expires"))
    values.update(override)
    values["credential_expires_on"] = expiry if values["authentication"] in CREDENTIALED else None
    values["endpoint"] = values["endpoint"].format(host=spec.domain)
    values["data_classes"] = list(values["data_classes"])
    return values


def _random_flags(rng: random.Random) -> dict:
    """Some attention for generated connections, so large inventories show flags too."""
    roll = rng.random()
    if roll < 0.03:
        return {"expires": -rng.randint(1, 60)}
    if roll < 0.08:
        return {"expires": rng.randint(1, 30)}
    if roll < 0.14:
        return {"reviewed": rng.choice([None, rng.randint(366, 900)])}
    if roll < 0.16:
        return {"integration_layer": "direct_core"}
    return {}


def templates_for(spec: SupplierSpec) -> list[Template]:
    return [Template._make(t) for t in data.PROFILES[spec.profile][: spec.connections]]


def _ensure_supplier_tree(ctx: _Context, spec: SupplierSpec, sub_codes: Sequence[str]) -> Supplier:
    """Create the supplier if missing, its missing connections, and (if new) its links."""
    session = ctx.session
    supplier = session.scalar(select(Supplier).where(Supplier.code == spec.code))
    created = supplier is None
    if created:
        owner_id = ctx.owners.get(spec.owner) if spec.owner else None
        supplier = create_supplier(
            session, ctx.actor, supplier_values(spec, ctx.today, owner_id), today=ctx.today
        )
        ctx.result.suppliers += 1
        ctx.created.append(supplier.id)
    if not supplier.archived:
        have = set(session.scalars(select(Connection.name).where(Connection.supplier == supplier)))
        for template in templates_for(spec):
            values = connection_values(spec, template, ctx.seed, ctx.today)
            if values["name"] in have:
                continue
            values.update(supplier=supplier, owner=supplier.owner_id)
            earlier = data.EARLIER_VALUES.get((spec.code, values["name"])) if created else None
            connection = create_connection(
                session, ctx.actor, {**values, **(earlier or {})}, today=ctx.today
            )
            if earlier:
                ctx.later.append((connection, values))
            ctx.result.connections += 1
    if created and sub_codes:
        _link(ctx, supplier, sub_codes)
    if created and spec.code in data.ARCHIVED:
        archive_supplier(session, ctx.actor, supplier)
    return supplier


def _link(ctx: _Context, supplier: Supplier, sub_codes: Sequence[str]) -> None:
    subs = ctx.session.scalars(select(Supplier).where(Supplier.code.in_(list(sub_codes)))).all()
    wanted = {s.id for s in supplier.sub_suppliers} | {s.id for s in subs}
    added = len(wanted) - len(supplier.sub_suppliers)
    if added:
        set_sub_suppliers(ctx.session, ctx.actor, supplier, sorted(wanted))
        ctx.result.links += added


def _ensure_curated(ctx: _Context, specs: list[SupplierSpec]) -> dict[str, Supplier]:
    """The curated suppliers; links wait until every supplier of the run exists."""
    codes = {s.code for s in specs}
    new: list[Supplier] = []
    by_code: dict[str, Supplier] = {}
    for spec in specs:
        before = ctx.result.suppliers
        by_code[spec.code] = _ensure_supplier_tree(ctx, spec, ())
        if ctx.result.suppliers > before:
            new.append(by_code[spec.code])
    for supplier in new:
        subs = [c for c in data.SUB_SUPPLIERS.get(supplier.code, []) if c in codes]
        if subs and not supplier.archived:
            _link(ctx, supplier, subs)
    return by_code


# -- generated suppliers ---------------------------------------------------------------


def generated_spec(index: int, seed: int) -> SupplierSpec:
    """The index-th generated supplier (codes V200001, V200002, ...)."""
    rng = _rng(seed, "generated", index)
    code = f"V{200001 + index}"
    country = rng.choice(sorted(data.NAME_POOLS))
    pattern, cities, words, tld = data.NAME_POOLS[country]
    city, word = rng.choice(cities), rng.choice(words)
    name = pattern.format(city=city, word=word)
    slug = re.sub(r"[^a-z0-9]+", "-", search_key(f"{word} {city}")).strip("-")
    domain = f"{slug if len(slug) > 3 else code.lower()}.{tld}"
    categories, weights = zip(*data.GENERATED_CATEGORIES, strict=True)
    category = rng.choices(categories, weights)[0]
    criticality = rng.choices(["low", "medium", "high", "critical"], [30, 45, 20, 5])[0]
    status = rng.choices(["active", "onboarding", "suspended"], [90, 7, 3])[0]
    return SupplierSpec(
        code=code,
        legal_name=name,
        country=country,
        category=category,
        criticality=criticality,
        single_source=criticality in ("high", "critical") and rng.random() < 0.3,
        status=status,
        owner=rng.choice(sorted(data.OWNERS)),
        domain=domain,
        profile=data.PROFILE_BY_CATEGORY[category],
        connections=rng.choice([2, 3, 3, 4]),
        reassess_in=None if status == "onboarding" else rng.randint(14, 365),
        notes="",
    )


def _subs_for(spec: SupplierSpec, seed: int) -> list[str]:
    """Shared 4th parties a generated supplier uses (about half of them use one)."""
    choices = data.GENERATED_SUBS[spec.category]
    rng = _rng(seed, spec.code, "subs")
    return [c for c in choices if rng.random() < 0.5]


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk_generated(ctx: _Context, plan: list[SupplierSpec]) -> None:
    """Insert generated suppliers in batches; one summary audit event for all of them."""
    session = ctx.session
    existing: set[str] = set()
    for chunk in _chunks([s.code for s in plan], BATCH_SIZE):
        existing.update(session.scalars(select(Supplier.code).where(Supplier.code.in_(chunk))))
    todo = [s for s in plan if s.code not in existing]
    if not todo:
        return
    shared = {c for codes in data.GENERATED_SUBS.values() for c in codes}
    sub_ids = dict(
        session.execute(select(Supplier.code, Supplier.id).where(Supplier.code.in_(shared))).all()
    )
    counts = {"suppliers": 0, "connections": 0, "links": 0}
    for chunk in _chunks(todo, BATCH_SIZE):
        _bulk_batch(ctx, chunk, sub_ids, counts)
    result = ctx.result
    result.suppliers += counts["suppliers"]
    result.connections += counts["connections"]
    result.links += counts["links"]
    record(
        session,
        ctx.actor,
        "bulk_create",
        "supplier",
        "",
        f"Generated {counts['suppliers']} demo suppliers with {counts['connections']} "
        "connections in bulk (one event for the whole batch)",
        after={**counts, "first_code": todo[0].code, "last_code": todo[-1].code, "seed": ctx.seed},
    )


def _bulk_batch(
    ctx: _Context, chunk: Sequence[SupplierSpec], sub_ids: dict[str, int], counts: dict
) -> None:
    session = ctx.session
    rows = []
    for spec in chunk:
        values = supplier_values(spec, ctx.today, ctx.owners.get(spec.owner or ""))
        values["owner_id"] = values.pop("owner")
        values["legal_name"] = normalise(values["legal_name"])
        values["search_key"] = search_key(values["legal_name"])
        rows.append(values)
    ids = session.scalars(
        insert(Supplier).returning(Supplier.id, sort_by_parameter_order=True), rows
    ).all()
    ctx.created.extend(ids)
    conn_rows, classes, links = [], [], []
    for spec, supplier_id, row in zip(chunk, ids, rows, strict=True):
        for template in templates_for(spec):
            values = connection_values(spec, template, ctx.seed, ctx.today)
            classes.append(values.pop("data_classes"))
            values.update(supplier_id=supplier_id, owner_id=row["owner_id"])
            conn_rows.append(values)
        links += [
            {"supplier_id": supplier_id, "sub_supplier_id": sub_ids[c]}
            for c in _subs_for(spec, ctx.seed)
            if c in sub_ids
        ]
    conn_ids = session.scalars(
        insert(Connection).returning(Connection.id, sort_by_parameter_order=True), conn_rows
    ).all()
    class_rows = [
        {"connection_id": cid, "data_class": dc}
        for cid, dcs in zip(conn_ids, classes, strict=True)
        for dc in dcs
    ]
    session.execute(insert(ConnectionDataClass), class_rows)
    if links:
        session.execute(insert(supplier_links), links)
    counts["suppliers"] += len(ids)
    counts["connections"] += len(conn_ids)
    counts["links"] += len(links)
