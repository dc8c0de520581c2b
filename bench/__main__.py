"""Run the inventory benchmarks against a throwaway database.

    python -m bench [--suppliers 10000] [--database-url URL]

Without --database-url a temporary SQLite file is used. Each step prints its wall time.
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
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="chainlight-bench-")
    url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services import Actor
    from app.services.exporting import export_list
    from app.services.importing import run_import
    from app.services.inventory_stats import overview

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False})
    print(f"database: {url.split('@')[-1]}  suppliers: {args.suppliers}")
    with app.app_context():
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
        data = supplier_csv(args.suppliers)
        actor = Actor.system("bench")
        with timed(f"import {args.suppliers} new suppliers (CSV)"):
            result = run_import(
                db.session,
                actor,
                "suppliers",
                data,
                "bench.csv",
                max_rows=max(args.suppliers, 10_000),
            )
            db.session.commit()
        assert result.ok and result.created == args.suppliers, result.problem or result.errors[:3]
        with timed(f"re-import the same {args.suppliers} suppliers (no change)"):
            result = run_import(
                db.session,
                actor,
                "suppliers",
                data,
                "bench.csv",
                max_rows=max(args.suppliers, 10_000),
            )
            db.session.commit()
        assert result.unchanged == args.suppliers
        with timed("export suppliers to XLSX"):
            export_list(db.session, actor, "suppliers", "xlsx", {})
        with timed("home page overview counts"):
            overview(db.session)
        with timed("audit verify"):
            from app.services.audit import verify_chain

            report = verify_chain(db.session)
        print(f"audit chain: {report.checked} events, ok={report.ok}")
        from app.services.demo import build_demo

        with timed(f"seed-demo --suppliers {args.suppliers} (bulk path)"):
            result = build_demo(db.session, actor, suppliers=args.suppliers)
            db.session.commit()
        print(
            f"demo network: {result.suppliers} suppliers, {result.connections} connections created"
        )
    pages(app)


def pages(app) -> None:
    """Median server time and SQL statements per request of the inventory pages."""
    import statistics

    from sqlalchemy import event

    from app.extensions import db

    client = app.test_client()
    client.post("/login", data={"email": "analyst@demo.chainlight", "password": "chainlight-demo"})
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    for path in [
        "/",
        "/suppliers/",
        "/suppliers/?q=cong+ty&sort=-criticality",
        "/suppliers/?page=200",
        "/connections/",
        "/connections/?flag=any",
        "/suppliers/1",
        "/connections/1",
        "/admin/audit",
    ]:
        if path == "/admin/audit":
            client.post("/logout")
            client.post(
                "/login", data={"email": "admin@demo.chainlight", "password": "chainlight-demo"}
            )
        times = []
        for _ in range(5):
            counter["n"] = 0
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
        print(
            f"GET {path:<48} {statistics.median(times) * 1000:7.1f} ms  {counter['n']:3d} queries"
        )
    event.remove(engine, "before_cursor_execute", count)


if __name__ == "__main__":
    main()
