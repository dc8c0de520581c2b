"""One job runner tick in its own process, for the multi-runner test (not a test module).

    python -m tests.jobs_child DATABASE_URL UPLOAD_DIR NOW_ISO START_AT_EPOCH

Waits until START_AT so that every runner ticks at the same moment, makes reports with a
stand-in PDF builder (the PDF itself is tested elsewhere), prints what it ran as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

from app import create_app
from app.jobs import runner
from app.services import reporting
from tests.conftest import base_config

FAKE_PDF = b"%PDF-1.4\n1 0 obj<</Type /Page>>endobj\ntrailer<<>>\n%%EOF\n"


def main() -> None:
    url, uploads, now_iso, start_at = sys.argv[1:5]
    config = base_config(url)
    config["CHAINLIGHT_UPLOAD_DIR"] = uploads
    app = create_app(config)
    reporting.build = lambda *args, **kwargs: (FAKE_PDF, {"suppliers": {}})
    now = dt.datetime.fromisoformat(now_iso)
    with app.app_context():
        from app.extensions import db

        db.session.execute(db.text("SELECT 1"))  # connect before the start line
        time.sleep(max(0.0, float(start_at) - time.time()))
        result = runner.tick(now)
    print(json.dumps({"leader": result.leader, "jobs": result.jobs, "reports": result.reports}))


if __name__ == "__main__":
    main()
