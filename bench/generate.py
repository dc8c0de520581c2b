"""Benchmark data: the demo network at N suppliers, each with approved, reviewed answers.

    python -m bench.generate --suppliers 10000 [--database-url URL]

Builds (or completes) the seed-demo network through its bulk path (about 3 connections per
generated supplier), syncs the control catalogs and shipped templates, then gives every live
supplier without an approved assessment one approved `cscrm-core` round (66 questions) and
an approved `connection-security` round (20 questions) on its first live connection, and on
its second for a quarter of them: about 80 accepted answers per supplier (the questions the
engine shows; file questions are left to their evidence). Assessments and
answers are written with Core `insert()` executemany in chunks, no audit events (benchmark
data, like seed-demo's bulk path). Answers are realistic: picked per question type by the
demo's answer planner, which only answers the questions the engine shows; a few dozen answer
sets per template at different quality levels are drawn once and spread over the suppliers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models import Answer, Assessment, Connection, Supplier, TemplateVersion, User
from app.models.base import utcnow
from app.services import Actor
from app.services.demo_assessments import plan_answers
from app.services.templates import template_of

CORE, CONNECTION = "cscrm-core", "connection-security"
VARIANTS = 40  # distinct answer sets per template
CHUNK = 2000  # assessments per batch (answers follow in batches of CHUNK rows)


@dataclass
class Generated:
    suppliers: int = 0
    assessments: int = 0
    answers: int = 0
    seconds: float = 0.0


def _fingerprint(value, comment: str) -> str:
    """What app.services.review.fingerprint computes for an answer without files."""
    body = {"value": value, "comment": comment, "evidence": []}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _variants(version: TemplateVersion, seed: int, today: dt.date) -> list[list[dict]]:
    """VARIANTS answer sets (partial rows) for one template version, qualities 0.3..0.95."""
    template = template_of(version)
    out = []
    for i in range(VARIANTS):
        rng = random.Random(f"{seed}:{version.id}:{i}")
        quality = 0.3 + 0.65 * i / max(VARIANTS - 1, 1)
        rows = []
        for planned in plan_answers(template, rng, quality=quality, today=today):
            if planned.value is None:  # a file question: the evidence would be the answer
                continue
            rows.append(
                {
                    "question_key": planned.key,
                    "value": planned.value,
                    "comment": planned.comment,
                    "reviewed_fingerprint": _fingerprint(planned.value, planned.comment),
                }
            )
        out.append(rows)
    return out


def _version(session: Session, key: str) -> TemplateVersion:
    from app.models import QuestionnaireTemplate

    version = session.scalar(
        select(TemplateVersion)
        .join(QuestionnaireTemplate)
        .where(QuestionnaireTemplate.key == key, TemplateVersion.status == "published")
        .order_by(TemplateVersion.number.desc())
        .limit(1)
    )
    if version is None:
        raise SystemExit(f"template {key!r} is not loaded (template sync failed?)")
    return version


def sync(session: Session, actor: Actor) -> None:
    """What `flask catalog sync` and `flask template sync` do (both idempotent)."""
    from app.services import catalog as catalog_service
    from app.services import templates as template_service

    catalog_service.sync_catalogs(session, actor)
    template_service.sync_shipped(session, actor)


def add_assessments(
    session: Session, *, seed: int = 7, today: dt.date | None = None, second: float = 0.25
) -> Generated:
    """Approved, fully accepted assessments for every live supplier that has none."""
    start = time.perf_counter()
    today = today or dt.date.today()
    now = utcnow()
    core, conn = _version(session, CORE), _version(session, CONNECTION)
    variants = {core.id: _variants(core, seed, today), conn.id: _variants(conn, seed, today)}
    reviewer = session.scalar(select(User.id).where(User.role == "analyst").limit(1))
    approved = select(Assessment.supplier_id).where(Assessment.status == "approved")
    suppliers = session.scalars(
        select(Supplier.id)
        .where(Supplier.archived_at.is_(None), Supplier.id.not_in(approved))
        .order_by(Supplier.id)
    ).all()
    live_connections: dict[int, list[int]] = {}
    for cid, sid in session.execute(
        select(Connection.id, Connection.supplier_id)
        .where(Connection.archived_at.is_(None), Connection.status != "retired")
        .order_by(Connection.id)
    ):
        live_connections.setdefault(sid, []).append(cid)
    rng = random.Random(seed)
    plan = []  # (assessment row, answer set)
    for sid in suppliers:
        days = rng.randint(5, 700)
        approved_at = now - dt.timedelta(days=days)
        base = {
            "supplier_id": sid,
            "round": 1,
            "status": "approved",
            "due_on": (approved_at - dt.timedelta(days=10)).date(),
            "message": "",
            "sent_at": approved_at - dt.timedelta(days=40),
            "submitted_at": approved_at - dt.timedelta(days=12),
            "approved_at": approved_at,
            "reviewed_by_id": reviewer,
        }
        plan.append(
            ({**base, "template_version_id": core.id}, rng.choice(variants[core.id]), approved_at)
        )
        links = live_connections.get(sid, [])[:2]
        for cid in links if rng.random() < second else links[:1]:
            plan.append(
                (
                    {**base, "template_version_id": conn.id, "connection_id": cid},
                    rng.choice(variants[conn.id]),
                    approved_at,
                )
            )
    result = Generated(suppliers=len(suppliers))
    for part_start in range(0, len(plan), CHUNK):
        part = plan[part_start : part_start + CHUNK]
        rows = [{"connection_id": None, **row} for row, _, _ in part]
        ids = session.scalars(
            insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True), rows
        ).all()
        answers = []
        for assessment_id, (_, answer_set, approved_at) in zip(ids, part, strict=True):
            for a in answer_set:
                answers.append(
                    {
                        **a,
                        "assessment_id": assessment_id,
                        "verdict": "accepted",
                        "reviewed_by_id": reviewer,
                        "reviewed_at": approved_at,
                        "updated_at": approved_at,
                    }
                )
        for a_start in range(0, len(answers), 10 * CHUNK):
            session.execute(insert(Answer), answers[a_start : a_start + 10 * CHUNK])
        result.assessments += len(ids)
        result.answers += len(answers)
    session.flush()
    result.seconds = time.perf_counter() - start
    return result


FINDING_SLA = {"critical": 30, "high": 60, "medium": 90, "low": 180}
CONTROLS = ["GV.SC-05", "GV.SC-07", "SR-3", "SR-6", "SR-8", "IA-2", "AC-17", "ISO28000-8.2"]


def add_findings(
    session: Session, *, seed: int = 11, today: dt.date | None = None, share: float = 0.6
) -> tuple[int, int]:
    """Findings for `share` of the live suppliers that have none (1-6 each, every status,
    some past due) and a risk acceptance for each accepted one (some lapsed): the data the
    reports count. Core inserts in chunks, no audit events. Returns (findings, acceptances)."""
    from app.models import Finding, RiskAcceptance

    today = today or dt.date.today()
    rng = random.Random(seed)
    has = select(Finding.supplier_id)
    suppliers = session.scalars(
        select(Supplier.id)
        .where(Supplier.archived_at.is_(None), Supplier.id.not_in(has))
        .order_by(Supplier.id)
    ).all()
    statuses = ["open"] * 5 + ["in_progress"] * 2 + ["resolved", "verified", "accepted"]
    rows, accepted = [], []
    for sid in suppliers:
        if rng.random() >= share:
            continue
        for control in rng.sample(CONTROLS, rng.randint(1, 6)):
            severity = rng.choices(["critical", "high", "medium", "low"], [5, 25, 45, 25])[0]
            opened = today - dt.timedelta(days=rng.randint(0, 240))
            status = rng.choice(statuses)
            rows.append(
                {
                    "supplier_id": sid,
                    "control": control,
                    "source": "manual",
                    "title": f"{control} below threshold in the last assessment",
                    "severity": severity,
                    "status": status,
                    "opened_on": opened,
                    "due_on": opened + dt.timedelta(days=FINDING_SLA[severity]),
                }
            )
    made = 0
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        ids = session.scalars(
            insert(Finding).returning(Finding.id, sort_by_parameter_order=True), part
        ).all()
        made += len(ids)
        for fid, row in zip(ids, part, strict=True):
            if row["status"] == "accepted":
                expires = today + dt.timedelta(days=rng.randint(-20, 200))
                accepted.append(
                    {
                        "finding_id": fid,
                        "reason": "Compensating controls in place (bench).",
                        "expires_on": expires,
                        "approved_by_email": "bench@example.com",
                        "lapsed_on": expires if expires < today and rng.random() < 0.5 else None,
                    }
                )
    for start in range(0, len(accepted), CHUNK):
        session.execute(insert(RiskAcceptance), accepted[start : start + CHUNK])
    session.flush()
    return made, len(accepted)


def generate(session: Session, suppliers: int, *, seed: int = 7) -> Generated:
    """The demo network at `suppliers` (bulk), catalogs and templates, then assessments."""
    from app.services.demo import build_demo

    actor = Actor.system("bench")
    build_demo(session, actor, suppliers=suppliers)
    sync(session, actor)
    return add_assessments(session, seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suppliers", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    url = args.database_url or (
        f"sqlite:///{Path(tempfile.mkdtemp(prefix='chainlight-bench-')) / 'bench.db'}"
    )
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
        start = time.perf_counter()
        result = generate(db.session, args.suppliers)
        db.session.commit()
        print(
            f"{url.split('@')[-1]}: {result.assessments} approved assessments with "
            f"{result.answers} answers for {result.suppliers} suppliers "
            f"({result.seconds:.1f} s for those; {time.perf_counter() - start:.1f} s in all)"
        )


if __name__ == "__main__":
    main()
