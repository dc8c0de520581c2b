"""Time the PDF reports over a prepared database, in a process of their own.

    python -m bench.reports --database-url URL [--runs 5]

`python -m bench --part reports` prepares the database (the N-supplier network, approved
assessments, scores, findings) and then runs this module in a fresh process, so the peak
resident memory it prints (VmHWM) is the report's own, not the data generator's.
Timed: the portfolio report's gathering and building, separately, first without previous
facts and then against altered previous facts (so "changes since the last report" has
hundreds of entries to look up and list); the supplier report (median of --runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import time
import tracemalloc


def _rss_mb() -> float:
    """Peak resident memory of this process in MB: VmHWM on Linux (getrusage's maxrss
    would report the parent's peak, which survives fork and exec), else maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _altered(facts: dict) -> dict:
    """Previous facts that differ from `facts`: some tiers moved, links, critical
    connections, overdue findings and lapsed acceptances not there yet."""
    previous = {k: (list(v) if isinstance(v, list) else v) for k, v in facts.items()}
    tiers = {t: list(ids) for t, ids in facts["tiers"].items()}
    moved = tiers.get("2", [])[:300]
    tiers["2"] = tiers.get("2", [])[300:]
    tiers["3"] = sorted(tiers.get("3", []) + moved)
    previous["tiers"] = tiers
    for key in (
        "critical_connections",
        "fourth_party_links",
        "overdue_findings",
        "lapsed_acceptances",
    ):
        previous[key] = facts[key][: max(0, len(facts[key]) - 150)]
    previous["as_of"] = (dt.date.fromisoformat(facts["as_of"]) - dt.timedelta(days=30)).isoformat()
    return previous


def measure(app, runs: int = 5) -> None:
    """Print the report timings, page counts, sizes and peak memory."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Supplier
    from app.services import report_data
    from reports import page_count
    from reports.portfolio import build_portfolio
    from reports.supplier import build_supplier

    today = dt.date.today()
    start_of_period = today - dt.timedelta(days=30)
    with app.app_context():
        session = db.session
        live = session.scalar(select(func.count()).where(Supplier.archived_at.is_(None)))
        print(f"reports over {live} live suppliers (rss before: {_rss_mb():.0f} MB)")
        facts = None
        for label, previous in (("first report", None), ("with previous facts", "altered")):
            prev = _altered(facts) if previous else None
            t0 = time.perf_counter()
            ctx, facts = report_data.portfolio_context(
                session,
                org_name="Bench Manufacturing",
                period_start=start_of_period,
                period_end=today,
                today=today,
                previous_facts=prev,
            )
            t1 = time.perf_counter()
            pdf = build_portfolio(ctx)
            t2 = time.perf_counter()
            session.rollback()
            print(
                f"portfolio ({label}): gather {t1 - t0:6.2f} s, build {t2 - t1:6.2f} s, "
                f"total {t2 - t0:6.2f} s; {page_count(pdf)} pages, {len(pdf) / 1e6:.1f} MB, "
                f"{len(ctx.changes)} changes, {len(ctx.appendix)} appendix rows"
            )
        print(f"peak RSS after the portfolio reports: {_rss_mb():.0f} MB")
        tracemalloc.start()
        build_portfolio(ctx)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"build_portfolio Python heap peak (tracemalloc): {peak / 1e6:.0f} MB")
        sid = session.scalar(
            select(func.min(Supplier.id)).where(
                Supplier.archived_at.is_(None), Supplier.code.like("V2%")
            )
        ) or session.scalar(select(func.min(Supplier.id)).where(Supplier.archived_at.is_(None)))
        gathers, builds, pages = [], [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            sctx = report_data.supplier_context(session, sid, org_name="Bench", today=today)
            t1 = time.perf_counter()
            spdf = build_supplier(sctx)
            builds.append(time.perf_counter() - t1)
            gathers.append(t1 - t0)
            pages = page_count(spdf)
            session.rollback()
        answers = sum(len(s.answers) for a in sctx.assessments for s in a.sections)
        print(
            f"supplier report (id {sid}, {len(sctx.connections)} connections, {answers} answers, "
            f"{len(sctx.findings)} findings): gather {statistics.median(gathers) * 1000:.0f} ms, "
            f"build {statistics.median(builds) * 1000:.0f} ms (median of {runs}); {pages} pages"
        )
    print(f"peak RSS of the report process: {_rss_mb():.0f} MB")


def main() -> None:
    """Time the reports over --database-url."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "TESTING": True})
    measure(app, runs=args.runs)


if __name__ == "__main__":
    main()
