"""Run the inventory and risk benchmarks against a throwaway database.

    python -m bench [--suppliers 10000] [--database-url URL] [--part all|inventory|risk|reports]

Without --database-url a temporary SQLite file is used. Each step prints its wall time.

The inventory part imports N suppliers from CSV, builds the demo network at N suppliers and
times the inventory pages. The risk part (bench.generate) gives the network's suppliers
approved assessments of about 80 answers, then times a full risk recompute, a second one
(nothing changed: nothing written) and the dashboard pages. After the inventory part the
CSV-imported suppliers (no connections, no assessments) are archived first, so the risk
part scores exactly the N-supplier network; `--part risk` starts from an empty database.
The reports part (bench.reports) adds findings and risk acceptances to the scored network
(`--part reports` alone first builds and scores it, untimed pages aside) and times the
portfolio and supplier PDF reports in a process of their own (for an honest peak memory).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def timed(label: str):
    start = time.perf_counter()
    yield
    print(f"{label:<55} {time.perf_counter() - start:8.2f} s", flush=True)


def supplier_csv(n: int, seed: int = 7) -> bytes:
    """A vendor-master style CSV of n suppliers."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "legal_name", "country", "category", "criticality", "single_source"])
    countries = ["DE", "VN", "CN", "TR", "PL", "US", "MX", "IN", "JP", "FR"]
    categories = ["raw_material", "component", "logistics", "software", "contract_manufacturer"]
    for i in range(n):
        writer.writerow(
            [
                f"B{i:06d}",
                rng.choice(["Công ty TNHH ", "深圳", "Müller ", "İzmir ", "Acme "])
                + f"Supplier {i}",
                rng.choice(countries),
                rng.choice(categories),
                rng.choice(["low", "medium", "high", "critical"]),
                rng.choice(["yes", "no"]),
            ]
        )
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suppliers", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--part", choices=["all", "inventory", "risk", "reports"], default="all")
    parser.add_argument("--runs", type=int, default=5, help="Requests per page (median).")
    parser.add_argument(
        "--profile", metavar="FILE", help="Write a cProfile of the full recompute to FILE."
    )
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="chainlight-bench-")
    url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "CHAINLIGHT_UPLOAD_DIR": str(Path(tmp) / "uploads"),  # the demo's evidence files
        }
    )
    print(f"database: {url.split('@')[-1]}  suppliers: {args.suppliers}")
    with app.app_context():
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
    if args.part in ("all", "inventory"):
        inventory(app, args.suppliers, runs=args.runs)
    if args.part in ("all", "risk"):
        risk(
            app,
            args.suppliers,
            archive_csv=args.part == "all",
            profile=args.profile,
            runs=args.runs,
        )
    if args.part == "reports":
        scored_network(app, args.suppliers)
    if args.part in ("all", "reports"):
        reports(app, url, runs=args.runs)


def scored_network(app, suppliers: int) -> None:
    """The N-supplier demo network with approved assessments, scored (what `--part risk`
    builds, without its repeated recomputes and page timings)."""
    from sqlalchemy import text

    from app.extensions import db
    from app.services import Actor
    from app.services import risk as risk_service
    from app.services.demo import build_demo
    from bench.generate import add_assessments, sync

    with app.app_context():
        session = db.session
        actor = Actor.system("bench")
        with timed(f"seed-demo --suppliers {suppliers} (bulk path)"):
            build_demo(session, actor, suppliers=suppliers)
            session.commit()
        sync(session, actor)
        with timed("generate approved assessments (bench.generate)"):
            add_assessments(session)
            session.commit()
        with timed("risk recompute (summaries and scores)"):
            result = risk_service.recompute(session)
            session.commit()
        print(f"scored {result.checked} suppliers")
        session.execute(text("ANALYZE"))
        session.commit()


def reports(app, url: str, runs: int = 5) -> None:
    """Findings for the network, then the report timings in a fresh process."""
    import subprocess
    import sys

    from sqlalchemy import text

    from app.extensions import db
    from bench.generate import add_findings

    with app.app_context():
        with timed("generate findings and risk acceptances (bench.generate)"):
            made, accepted = add_findings(db.session)
            db.session.commit()
        print(f"{made} findings, {accepted} risk acceptances added")
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    command = [sys.executable, "-m", "bench.reports", "--database-url", url, "--runs", str(runs)]
    subprocess.run(command, check=True)


def inventory(app, suppliers: int, runs: int = 5) -> None:
    """Import, re-import, export, audit, seed-demo; then the inventory pages."""
    from app.extensions import db
    from app.services import Actor
    from app.services.exporting import export_list
    from app.services.importing import run_import
    from app.services.inventory_stats import overview

    with app.app_context():
        data = supplier_csv(suppliers)
        actor = Actor.system("bench")
        with timed(f"import {suppliers} new suppliers (CSV)"):
            result = run_import(
                db.session,
                actor,
                "suppliers",
                data,
                "bench.csv",
                max_rows=max(suppliers, 10_000),
            )
            db.session.commit()
        assert result.ok and result.created == suppliers, result.problem or result.errors[:3]
        with timed(f"re-import the same {suppliers} suppliers (no change)"):
            result = run_import(
                db.session,
                actor,
                "suppliers",
                data,
                "bench.csv",
                max_rows=max(suppliers, 10_000),
            )
            db.session.commit()
        assert result.unchanged == suppliers
        with timed("export suppliers to XLSX"):
            export_list(db.session, actor, "suppliers", "xlsx", {})
        with timed("home page overview counts"):
            overview(db.session)
        with timed("audit verify"):
            from app.services.audit import verify_chain

            report = verify_chain(db.session)
        print(f"audit chain: {report.checked} events, ok={report.ok}")
        from app.services.demo import build_demo

        with timed(f"seed-demo --suppliers {suppliers} (bulk path)"):
            result = build_demo(db.session, actor, suppliers=suppliers)
            db.session.commit()
        print(
            f"demo network: {result.suppliers} suppliers, {result.connections} connections created"
        )
    pages(app, runs=runs)


INVENTORY_PAGES = [
    "/",
    "/suppliers/",
    "/suppliers/?q=cong+ty&sort=-criticality",
    "/suppliers/?page=200",
    "/connections/",
    "/connections/?flag=any",
    "/suppliers/1",
    "/connections/1",
    ("/admin/audit", "admin"),
]
DASHBOARD_PAGES = [
    ("/", "analyst"),
    ("/", "exec"),
    ("/portfolio", "analyst"),
    ("/suppliers/{sid}/risk", "analyst"),  # the first live supplier
]
PASSWORD = "chainlight-demo"


def pages(app, paths=None, runs: int = 5) -> None:
    """Median server time and SQL statements per request (the inventory pages by default).

    Each entry is a path (as the analyst) or (path, login) with a demo login's local part.
    Paths the app does not route (yet) are skipped with a note.
    """
    import statistics

    from sqlalchemy import event
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    from app.extensions import db

    client = app.test_client()
    who = None
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    with app.app_context():
        engine = db.engine
    adapter = app.url_map.bind("localhost")
    event.listen(engine, "before_cursor_execute", count)
    try:
        for entry in paths or INVENTORY_PAGES:
            path, login = (entry, "analyst") if isinstance(entry, str) else entry
            try:
                adapter.match(path.split("?")[0], method="GET")
            except (NotFound, MethodNotAllowed):
                print(f"GET {path:<48} skipped: no such route in this version")
                continue
            if login != who:
                client.post("/logout")
                client.post(
                    "/login", data={"email": f"{login}@demo.chainlight", "password": PASSWORD}
                )
                who = login
            times = []
            for _ in range(runs):
                counter["n"] = 0
                start = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (path, login, response.status_code)
            label = f"{path} ({login})" if paths else path
            print(
                f"GET {label:<48} {statistics.median(times) * 1000:7.1f} ms  "
                f"{counter['n']:3d} queries"
            )
    finally:
        event.remove(engine, "before_cursor_execute", count)


def risk(
    app, suppliers: int, *, archive_csv: bool, profile: str | None = None, runs: int = 5
) -> None:
    """Approved assessments for the network, full recompute twice, the dashboard pages."""
    from sqlalchemy import func, select, text, update

    from app.extensions import db
    from app.models import Answer, Assessment, RiskSnapshot, Supplier
    from app.services import Actor, risk_inputs
    from app.services import risk as risk_service
    from bench.generate import add_assessments, sync
    from risk_models.types import Appetite

    with app.app_context():
        session = db.session
        actor = Actor.system("bench")
        if archive_csv:
            codes = [row.split(",", 1)[0] for row in supplier_csv(suppliers).decode().splitlines()]
            archived = 0
            for start in range(1, len(codes), 900):
                archived += session.execute(
                    update(Supplier)
                    .where(Supplier.code.in_(codes[start : start + 900]))
                    .values(archived_at=func.now())
                ).rowcount
            session.commit()
            print(f"archived the {archived} CSV-imported suppliers: the network is the portfolio")
        else:
            from app.services.demo import build_demo

            with timed(f"seed-demo --suppliers {suppliers} (bulk path)"):
                result = build_demo(session, actor, suppliers=suppliers)
                session.commit()
            print(f"demo network: {result.suppliers} suppliers, {result.connections} connections")
        sync(session, actor)
        with timed("generate approved assessments (bench.generate)"):
            made = add_assessments(session)
            session.commit()
        live = session.scalar(select(func.count()).where(Supplier.archived_at.is_(None)))
        total_answers = session.scalar(select(func.count()).select_from(Answer))
        approved = session.scalar(
            select(func.count()).where(Assessment.status == "approved").select_from(Assessment)
        )
        print(
            f"{made.assessments} assessments, {made.answers} answers added; now {live} live "
            f"suppliers, {approved} approved assessments, {total_answers} answers "
            f"({made.answers / max(made.suppliers, 1):.0f} answers per supplier)"
        )
        with timed("summarise the approved assessments (done at approval in use)"):
            gathered = risk_inputs.gather(session)
            session.commit()
        print(f"summaries: {len(gathered.digests)} approved assessments read once and kept")
        before = session.scalar(select(func.count()).select_from(RiskSnapshot))
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        with timed(f"risk recompute, all {live} live suppliers"):
            result = risk_service.recompute(session)
            session.commit()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
            print(f"profile written to {profile}")
        print(f"recompute: {result.checked} checked, {result.changed} snapshots written")
        middle = session.scalar(select(func.count()).select_from(RiskSnapshot))
        with timed("risk recompute again (nothing changed)"):
            again = risk_service.recompute(session)
            session.commit()
        after = session.scalar(select(func.count()).select_from(RiskSnapshot))
        print(
            f"second recompute: {again.checked} checked, {again.changed} written "
            f"(snapshots {before} -> {middle} -> {after})"
        )
        with timed("appetite change: every supplier re-scored and re-banded"):
            third = risk_service.set_appetite(
                session, Actor.system("bench"), Appetite(low_max=4, medium_max=10, high_max=16)
            )
            session.commit()
        print(f"appetite change: {third.changed} snapshots written, {third.rebanded} re-banded")
        # Fresh bulk-loaded tables have no planner statistics yet (autovacuum runs later):
        # without them both engines join snapshots through the wrong index (see
        # docs/performance.md), so the pages are timed as a settled database serves them.
        with timed("ANALYZE (planner statistics after the bulk load)"):
            session.execute(text("ANALYZE"))
            session.commit()
        sid = session.scalar(select(func.min(Supplier.id)).where(Supplier.archived_at.is_(None)))
    pages(app, [(path.format(sid=sid), login) for path, login in DASHBOARD_PAGES], runs)


if __name__ == "__main__":
    main()
