"""In a real browser: an approved assessment opens a finding; the supplier proposes a plan
and attaches evidence in the portal; the analyst accepts the plan and verifies the fix, and
the supplier's residual risk drops; an executive accepts another finding's risk, time moves
past its expiry, the daily job runs and the finding is open again."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.jobs.definitions import BY_NAME
from app.models import Finding
from app.services import Actor, risk
from app.services.demo_data import DEMO_PASSWORD
from tests import factories
from tests.services.test_findings import PDF
from tests.services.test_risk_service import RISK_MINI

pytestmark = pytest.mark.browser

ANALYST = "analyst@demo.chainlight"
EXECUTIVE = "exec@demo.chainlight"
CONTACT = "it@haiphong-e2e.example"
NAME = "Nhà máy Điện tử Hải Phòng"


@pytest.fixture
def submitted(live_app):
    """A critical supplier with a VPN carrying credentials, its contact, and a submitted
    questionnaire whose MFA answer is "no" (so approving it opens an SR-6 finding)."""
    from app.models import Answer

    with live_app.app_context():
        supplier = factories.make_supplier(
            db.session, code="V800042", legal_name=NAME, criticality="critical",
            single_source=True, country="VN",
        )  # fmt: skip
        factories.make_connection(
            db.session, supplier, name="Plant VPN", kind="vpn_site_to_site",
            data_classes=["credentials"],
        )  # fmt: skip
        factories.make_user(db.session, "supplier", CONTACT, supplier, password=DEMO_PASSWORD)
        version = factories.make_template_version(db.session, RISK_MINI)
        assessment = factories.make_assessment(db.session, supplier, version, status="submitted")
        for key, value in {"policy": "yes", "owner": "Lan", "mfa": "no"}.items():
            db.session.add(Answer(assessment=assessment, question_key=key, value=value))
        risk.recompute(db.session, "e2e", {supplier.id})
        db.session.commit()
        return {"supplier": supplier.id, "assessment": assessment.id}


def _residual(live_app, supplier_id: int) -> float:
    with live_app.app_context():
        return risk.current(db.session, supplier_id).residual_score


def test_from_approval_to_verified_fix_and_a_lapsed_acceptance(
    new_page, login, live_app, submitted, tmp_path
):
    analyst = new_page(viewport={"width": 1280, "height": 900})
    supplier = new_page(viewport={"width": 390, "height": 844})  # the contact is on a phone
    executive = new_page(viewport={"width": 1280, "height": 900})
    for p in (analyst, supplier, executive):
        p.on("dialog", lambda dialog: dialog.accept())  # data-confirm questions

    # 1. The analyst approves the questionnaire; a finding opens for the weak control.
    login(analyst, ANALYST)
    analyst.goto(f"/assessments/{submitted['assessment']}/review")
    analyst.get_by_role("button", name="Approve").click()
    expect(analyst.locator("#assessment-status")).to_have_text("Approved")
    before = _residual(live_app, submitted["supplier"])
    analyst.goto(f"/findings/?supplier_id={submitted['supplier']}")
    rows = analyst.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("SR-6")
    rows.first.get_by_role("link", name=re.compile(r"SR-6 .*scored 0%")).click()
    finding_url = analyst.url
    finding_id = int(finding_url.rstrip("/").rsplit("/", 1)[-1])

    # 2. The supplier's contact sees it in the portal, proposes a plan and attaches evidence.
    login(supplier, CONTACT)
    supplier.get_by_role("link", name="Your findings").click()  # phone: the menu is folded
    supplier.get_by_role("link", name=re.compile(r"SR-6 .*scored 0%")).click()
    target = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    step = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    supplier.get_by_label("What you will do").fill(
        "Enforce MFA on the plant VPN.\nRetire shared accounts."
    )
    supplier.get_by_label("Done by (target date)").fill(target)
    supplier.get_by_label("Milestones").fill(f"{step} Hardware tokens for all VPN users")
    supplier.get_by_role("button", name="Send the plan for review").click()
    plan = supplier.locator("#plan")
    expect(plan).to_contain_text("Hardware tokens for all VPN users")
    expect(plan).to_contain_text("Plan proposed")
    evidence = tmp_path / "mfa-rollout.pdf"
    evidence.write_bytes(PDF)
    supplier.locator("#evidence-file").set_input_files(str(evidence))
    supplier.locator("#evidence").get_by_role("button", name="Upload").click()
    expect(supplier.locator("#evidence")).to_contain_text("mfa-rollout.pdf")

    # 3. The analyst accepts the plan: its date becomes the due date, work starts.
    analyst.goto(finding_url)
    expect(analyst.locator("#plan")).to_contain_text("Enforce MFA on the plant VPN.")
    analyst.get_by_role("button", name="Accept the plan").click()
    expect(analyst.locator("#workflow")).to_contain_text("In progress")
    expect(analyst.locator("main")).to_contain_text(target)

    # 4. The supplier marks it resolved; the analyst verifies against the evidence.
    supplier.reload()
    supplier.get_by_role("button", name="Mark resolved").click()
    expect(supplier.locator("main")).to_contain_text("Resolved")
    analyst.goto(finding_url)
    analyst.get_by_role("button", name="Verify the fix").click()  # no note yet: refused
    expect(analyst.locator("main")).to_contain_text("Say what shows the fix works.")
    analyst.get_by_label("Note for the thread").fill("Token enrolment report checked.")
    analyst.get_by_role("button", name="Verify the fix").click()
    expect(analyst.locator("#workflow")).to_contain_text("Verified")
    after = _residual(live_app, submitted["supplier"])
    assert after < before
    analyst.goto(f"/suppliers/{submitted['supplier']}/risk")
    expect(analyst.locator("main")).to_contain_text("Verified mitigation")

    # 5. Another finding: the executive accepts its risk for five days.
    analyst.goto(f"/findings/new?supplier_id={submitted['supplier']}")
    analyst.get_by_label("Title").fill("Shared admin account on the EDI translator")
    analyst.get_by_label("Severity").select_option("medium")
    analyst.get_by_role("button", name=re.compile("Add finding|Save")).click()
    expect(analyst.get_by_role("heading", level=1)).to_have_text(
        "Shared admin account on the EDI translator"
    )
    second_url = analyst.url
    login(executive, EXECUTIVE)
    executive.goto(second_url)
    expires = dt.date.today() + dt.timedelta(days=5)
    executive.get_by_label("Why the risk is accepted").fill("The translator is replaced in Q1.")
    executive.get_by_label("Accepted until").fill(expires.isoformat())
    executive.get_by_role("button", name="Accept the risk").click()
    expect(executive.locator("#workflow")).to_contain_text("Risk accepted")
    executive.goto("/findings/acceptances?view=expiring")
    expect(executive.locator("main")).to_contain_text("Shared admin account on the EDI translator")
    expect(executive.locator("main")).to_contain_text(EXECUTIVE)

    # 6. Time moves past the expiry; the daily job reopens the finding.
    with live_app.app_context():
        summary = BY_NAME["expire-acceptances"].run(
            db.session, Actor.system("e2e"), expires + dt.timedelta(days=1)
        )
        db.session.commit()
        assert summary.startswith("1 ")
        second = db.session.scalar(select_finding("Shared admin account on the EDI translator"))
        assert second.status == "open"
    executive.goto(second_url)
    expect(executive.locator("#workflow")).to_contain_text("Open")
    expect(executive.locator("#thread")).to_contain_text("lapsed")
    executive.goto("/findings/acceptances?view=lapsed")
    expect(executive.locator("main")).to_contain_text("Shared admin account on the EDI translator")
    assert finding_id > 0


def select_finding(title: str):
    from sqlalchemy import select

    return select(Finding).where(Finding.title == title)
