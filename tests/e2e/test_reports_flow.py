"""In a real browser: the admin schedules a weekly supplier report for a Vietnamese
supplier, a bad cron expression is refused with its message, "Run now" queues it, the job
runner's tick makes it, and the analyst downloads the archived PDF, which holds the
supplier's name and its findings; the executive downloads the portfolio PDF on demand."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.extensions import db
from app.jobs import runner
from app.models import Supplier

pytestmark = pytest.mark.browser

THEP_VIET = "Công ty TNHH Thép Việt"


def _pdf_text(download) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(open(download.path(), "rb").read()))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_schedule_run_now_and_download(new_page, login, live_app):
    admin = new_page(viewport={"width": 1280, "height": 900})
    login(admin, "admin@demo.chainlight")
    admin.goto("/reports/schedules/new")
    admin.get_by_label("Name").fill("Weekly Thép Việt review")
    admin.get_by_label("Report", exact=True).select_option("supplier")
    with live_app.app_context():
        supplier_id = db.session.scalar(
            db.select(Supplier.id).where(Supplier.legal_name == THEP_VIET)
        )
    admin.get_by_label("Supplier", exact=True).select_option(str(supplier_id))
    admin.get_by_label("Cadence").select_option("cron")
    admin.get_by_label("Cron expression").fill("*/5 7 * * mon")
    admin.get_by_label("Timezone").fill("Asia/Ho_Chi_Minh")
    admin.get_by_role("button", name="Add schedule").click()
    expect(admin.locator("main")).to_contain_text("at most once an hour")  # refused, kept
    expect(admin.get_by_label("Timezone")).to_have_value("Asia/Ho_Chi_Minh")
    admin.get_by_label("Cron expression").fill("0 7 * * mon")
    admin.get_by_role("button", name="Add schedule").click()
    row = admin.locator("tr", has_text="Weekly Thép Việt review")
    expect(row).to_contain_text("Asia/Ho_Chi_Minh")
    row.get_by_role("button", name=re.compile("^Run now")).click()
    expect(admin.locator("main")).to_contain_text("job runner")
    with live_app.app_context():
        made = runner.tick()  # what `flask --app wsgi jobs run` does every 30 s
    assert made.leader and len(made.reports) == 1 and not made.failed

    analyst = new_page(viewport={"width": 1280, "height": 900})
    login(analyst, "analyst@demo.chainlight")
    analyst.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    first = analyst.locator("main table tbody tr").first
    expect(first).to_contain_text("Supplier assessment report")
    expect(first).to_contain_text(THEP_VIET)
    with analyst.expect_download() as info:
        first.get_by_role("link", name=re.compile("^Download")).click()
    text, pages = _pdf_text(info.value)
    assert THEP_VIET in text and "Findings" in text and pages > 2

    executive = new_page(viewport={"width": 1280, "height": 900})
    login(executive, "exec@demo.chainlight")
    with executive.expect_download() as info:
        executive.get_by_role("link", name=re.compile("Download PDF")).first.click()
    assert info.value.suggested_filename.startswith("chainlight-portfolio-")
    text, pages = _pdf_text(info.value)
    assert "Changes since the last report" in text and pages > 3
