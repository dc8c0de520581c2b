"""In a real browser, the issue's whole round: the analyst sends a questionnaire, the supplier
opens the link, answers (one question appears only after another answer), uploads evidence
and submits; the analyst asks for a clarification, the supplier fixes it, the analyst
approves; a second round starts from those answers and the reviewer sees what changed."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Supplier
from tests import factories
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SUPPLIER = "Müller Präzisionsteile GmbH"
CONTACT = "qualitaet@mueller-praezision.de"
CONTACT_PASSWORD = "Präzision ist unser Versprechen 2026"
TEMPLATE = {
    "key": "e2e-partner-check",
    "name": "Partner security check",
    "scope": "supplier",
    "sections": [
        {
            "key": "governance",
            "title": "Governance",
            "questions": [
                {
                    "key": "policy",
                    "text": "Do you have a supply-chain security policy?",
                    "type": "ynp",
                    "controls": ["GV.SC-01"],
                    "evidence": "when_yes",
                },
                {
                    "key": "owner",
                    "text": "Who owns the policy?",
                    "type": "text",
                    "controls": ["GV.SC-02"],
                    "show_when": {"question": "policy", "in": ["yes", "partial"]},
                },
            ],
        },
        {
            "key": "access",
            "title": "Remote access",
            "questions": [
                {
                    "key": "mfa",
                    "text": "Is MFA enforced for remote access?",
                    "type": "ynp",
                    "controls": ["SR-6"],
                }
            ],
        },
    ],
}


@pytest.fixture
def setup(live_app):
    """A published three-question questionnaire; the supplier's id and the version's id."""
    with live_app.app_context():
        version = factories.make_template_version(db.session, TEMPLATE)
        supplier = db.session.scalar(select(Supplier).where(Supplier.legal_name == SUPPLIER))
        db.session.commit()
        return {"supplier_id": supplier.id, "version_id": version.id}


def _answer_and_submit(page, assessment_id: int, pdf) -> None:
    """The supplier's first pass: a condition, an upload, both sections, then submit."""
    page.goto(f"/portal/assessments/{assessment_id}")
    policy = page.locator("#q-policy")
    owner = page.locator("#q-owner")
    expect(owner).to_be_hidden()  # shown only after a yes/partial policy answer
    policy.get_by_label("Yes", exact=True).check()
    expect(owner).to_be_visible()
    owner.get_by_label("Your answer").fill("Jürgen Müller, Leiter Informationssicherheit")
    policy.get_by_label("File").set_input_files(str(pdf))
    policy.get_by_role("button", name="Upload file").click()
    expect(page.locator("#q-policy .evidence-list")).to_contain_text("security-policy.pdf")
    page.get_by_role("button", name="Save and continue →").click()
    expect(page.get_by_role("heading", name="Remote access")).to_be_visible()
    page.locator("#q-mfa").get_by_label("Partially", exact=True).check()
    page.get_by_role("button", name="Save and check →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and submit")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("main")).to_contain_text("Submitted")


def _resubmit(page, assessment_id: int) -> None:
    page.goto(f"/portal/assessments/{assessment_id}/submit")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("main")).to_contain_text("Submitted")


def _fits_the_screen(page, name: str) -> None:
    """Save a screenshot for people to look at, and check nothing scrolls sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"{name}: the page is {width}px wider than the screen"


def test_a_whole_round_and_the_next(new_page, login, setup, tmp_path):
    analyst = new_page(viewport={"width": 1280, "height": 900})
    supplier = new_page(viewport={"width": 390, "height": 844})  # a phone
    for p in (analyst, supplier):
        p.on("dialog", lambda dialog: dialog.accept())  # data-confirm questions
    pdf = tmp_path / "security-policy.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()

    # 1. The analyst sends the questionnaire and copies the invitation link.
    login(analyst, "analyst@demo.chainlight")
    analyst.goto("/assessments/new")
    analyst.get_by_label("Supplier to assess").select_option(str(setup["supplier_id"]))
    analyst.get_by_role("button", name="Continue").click()
    analyst.get_by_label("Questionnaire").select_option(str(setup["version_id"]))
    analyst.get_by_label("Due date").fill(due)
    analyst.get_by_label("Contact e-mail").fill(CONTACT)
    analyst.get_by_role("button", name="Send assessment").click()
    expect(analyst).to_have_url(re.compile(r"/assessments/\d+$"))
    first_id = int(analyst.url.rsplit("/", 1)[1])
    link = analyst.locator("#new-link").input_value()

    # 2. The supplier opens the link, sets a password, answers and submits.
    supplier.goto(urlsplit(link).path)
    supplier.get_by_label("Choose a password").fill(CONTACT_PASSWORD)
    supplier.get_by_label("Repeat the password").fill(CONTACT_PASSWORD)
    supplier.get_by_role("button", name="Create my account and start").click()
    supplier.get_by_role("link", name="Your questionnaires").click()
    supplier.get_by_role("link", name="Partner security check").click()
    expect(supplier).to_have_url(re.compile(rf"/portal/assessments/{first_id}"))
    _answer_and_submit(supplier, first_id, pdf)

    # 3. The analyst reviews: evidence beside the answer, one answer needs clarification.
    analyst.goto(f"/assessments/{first_id}")
    analyst.get_by_role("link", name="Start review").click()
    policy = analyst.locator("#q-policy")
    expect(policy).to_contain_text("Yes (score 1)")
    expect(policy.get_by_role("link", name="security-policy.pdf")).to_be_visible()
    expect(analyst.locator("#q-owner")).to_contain_text("Jürgen Müller")
    mfa = analyst.locator("#q-mfa")
    mfa.get_by_label("Note to the supplier").fill("Partially? Which remote access has no MFA?")
    mfa.get_by_role("button", name="Needs clarification").click()
    expect(analyst.locator("#count-clarify")).to_have_text("1")
    analyst.get_by_role("button", name="Request changes").click()
    expect(analyst.locator("#assessment-status")).to_have_text("Changes requested")

    # 4. The supplier sees which answer and why, replies, fixes it and resubmits.
    supplier.goto(f"/portal/assessments/{first_id}?section=access")
    expect(supplier.locator("#q-mfa")).to_contain_text("Which remote access has no MFA?")
    supplier.get_by_role("link", name="See the reviewer's questions and reply").click()
    asked = supplier.locator("#q-mfa")
    expect(asked).to_contain_text("Which remote access has no MFA?")
    asked.get_by_label("Add a message").fill("The old VPN had none; it was replaced last week.")
    asked.get_by_role("button", name="Post message").click()
    expect(supplier.locator("#q-mfa")).to_contain_text("replaced last week")
    _fits_the_screen(supplier, "clarifications-phone.png")
    supplier.get_by_role("link", name="Change my answers").click()
    supplier.goto(f"/portal/assessments/{first_id}?section=access")
    supplier.locator("#q-mfa").get_by_label("Yes", exact=True).check()
    supplier.get_by_role("button", name="Save and check →").click()
    _resubmit(supplier, first_id)

    # 5. The analyst sees the change and the reply, accepts it and approves.
    analyst.goto(f"/assessments/{first_id}/review")
    mfa = analyst.locator("#q-mfa")
    expect(mfa).to_contain_text("Yes (score 1)")
    expect(mfa).to_contain_text("Changed since the verdict")
    expect(mfa).to_contain_text("replaced last week")
    mfa.get_by_role("button", name="Accept").click()
    analyst.get_by_role("button", name="Approve").click()
    expect(analyst.locator("#assessment-status")).to_have_text("Approved")

    # 6. A second round starts from the approved answers; the supplier changes one.
    analyst.get_by_label("New due date").fill(due)
    expect(analyst.get_by_label("Invite (e-mail)")).to_have_value(CONTACT)
    analyst.get_by_role("button", name="Start round 2").click()
    expect(analyst).to_have_url(re.compile(r"/assessments/\d+$"))
    second_id = int(analyst.url.rsplit("/", 1)[1])
    assert second_id != first_id
    link = analyst.locator("#new-link").input_value()
    supplier = new_page(viewport={"width": 390, "height": 844})  # the e-mailed link, later
    supplier.on("dialog", lambda dialog: dialog.accept())
    supplier.goto(urlsplit(link).path)
    supplier.get_by_role("button", name="Continue to the portal").click()
    supplier.goto(f"/portal/assessments/{second_id}")
    owner = supplier.locator("#q-owner")
    expect(owner.get_by_label("Your answer")).to_have_value(
        "Jürgen Müller, Leiter Informationssicherheit"
    )
    expect(supplier.locator("#q-policy .evidence-list")).to_contain_text("security-policy.pdf")
    owner.get_by_label("Your answer").fill("Ngô Thị Hằng, CISO")
    supplier.get_by_role("button", name="Save and continue →").click()
    supplier.get_by_role("button", name="Save and check →").click()
    supplier.get_by_role("button", name="Submit for review").click()
    expect(supplier.locator("main")).to_contain_text("Submitted")

    # 7. The reviewer sees exactly what changed since round 1.
    analyst.goto(f"/assessments/{second_id}/review")
    expect(analyst.locator("#q-owner")).to_contain_text("Changed since round 1")
    expect(analyst.locator("#q-mfa")).not_to_contain_text("Changed since round 1")
    expect(analyst.locator("#q-policy")).not_to_contain_text("Changed since round 1")
    analyst.get_by_role("link", name=re.compile("What changed since round 1")).click()
    rows = analyst.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Who owns the policy?")
    expect(rows.first.locator(".diff-before")).to_contain_text("Jürgen Müller")
    expect(rows.first.locator(".diff-after")).to_contain_text("Ngô Thị Hằng, CISO")
    _fits_the_screen(analyst, "round-diff.png")
