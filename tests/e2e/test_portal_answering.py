"""In a real browser: a supplier contact answers with autosave, conditions, conflicts, a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Supplier, User
from app.services.demo_data import DEMO_PASSWORD
from tests import factories
from tests.e2e.conftest import ARTIFACTS
from tests.services.test_answering import DOC

pytestmark = pytest.mark.browser

CONTACT = "portal.e2e@thepviet.vn"
SUPPLIER = "Công ty TNHH Thép Việt"


@pytest.fixture
def assessment_id(live_app) -> int:
    """A fresh questionnaire sent to Thép Việt, and a contact of its own to answer it."""
    with live_app.app_context():
        supplier = db.session.scalar(select(Supplier).where(Supplier.legal_name == SUPPLIER))
        if db.session.scalar(select(User).where(User.email == CONTACT)) is None:
            factories.make_user(
                db.session, "supplier", CONTACT, supplier, password=DEMO_PASSWORD, name="Lan"
            )
        version = factories.make_template_version(db.session, DOC)
        assessment = factories.make_assessment(db.session, supplier, version)
        db.session.commit()
        return assessment.id


@pytest.fixture
def csp_errors():
    """Collects script errors and console errors (CSP violations show there) of given pages."""
    errors: list[str] = []

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")

    def watch(page):
        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    watch.errors = errors
    return watch


def _progress(page):
    return page.locator('[role="progressbar"]').first


def _no_sideways_scroll(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    extra = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert extra <= 0, f"{name}: {extra}px wider than the screen"


def test_autosave_condition_and_progress_survive_a_reload(page, login, assessment_id, csp_errors):
    csp_errors(page)
    login(page, CONTACT)
    page.goto("/portal/")
    page.get_by_role("link", name="Your questionnaires").click()
    page.get_by_role("link", name="Portal test questionnaire").last.click()
    expect(page).to_have_url(re.compile(rf"/portal/assessments/{assessment_id}"))
    expect(page.get_by_role("heading", level=2, name="Governance")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Answered 0 of 4 required")
    owner = page.locator("#q-owner")
    expect(owner).to_be_hidden()

    policy = page.locator("#q-policy")
    policy.get_by_label("Partially", exact=True).check()
    expect(policy.locator("[data-save-status]")).to_have_text("Saved")
    expect(owner).to_be_visible()  # the conditional question appears without a reload
    expect(page.locator("main")).to_contain_text("Answered 1 of 5 required")
    owner.get_by_label("Your answer").fill("Nguyễn Thị Lan, Giám đốc An ninh")
    expect(owner.locator("[data-save-status]")).to_have_text("Saved")  # after the pause
    expect(page.locator("main")).to_contain_text("Answered 2 of 6 required")
    expect(page.locator("#q-reviewed")).to_be_visible()  # a chain: shown once owner is answered
    expect(_progress(page)).to_have_attribute("aria-valuenow", "33")

    page.reload()
    expect(policy.get_by_label("Partially", exact=True)).to_be_checked()
    expect(owner.get_by_label("Your answer")).to_have_value("Nguyễn Thị Lan, Giám đốc An ninh")
    expect(page.locator("main")).to_contain_text("Answered 2 of 6 required")
    expect(_progress(page)).to_have_attribute("aria-valuenow", "33")
    expect(page.locator('[data-section-count="gov"]').last).to_contain_text("2/3")
    assert csp_errors.errors == []


def test_typing_then_leaving_at_once_still_saves(page, login, assessment_id):
    login(page, CONTACT)
    page.goto(f"/portal/assessments/{assessment_id}?section=ops")
    staff = page.locator("#q-staff")
    staff.get_by_label("Number").fill("35")
    # Straight to another section, well before the autosave pause is over.
    page.locator("nav[aria-label='Sections']").get_by_role(
        "link", name=re.compile("Governance")
    ).click()
    expect(page.get_by_role("heading", level=2, name="Governance")).to_be_visible()
    page.goto(f"/portal/assessments/{assessment_id}?section=ops")
    expect(staff.get_by_label("Number")).to_have_value("35")


def test_a_second_tab_is_told_and_chooses(new_page, login, assessment_id):
    first = new_page(viewport={"width": 1280, "height": 900})
    login(first, CONTACT)
    second = first.context.new_page()
    address = f"/portal/assessments/{assessment_id}?section=ops"
    first.goto(address)
    second.goto(address)

    first.locator("#q-tier").get_by_label("Tier A").check()
    expect(first.locator("#q-tier [data-save-status]")).to_have_text("Saved")
    second.locator("#q-tier").get_by_label("Tier B").check()
    conflict = second.locator("#q-tier [data-conflict]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("changed in another tab or by a colleague: Tier A")
    expect(second.locator("#q-tier").get_by_label("Tier B")).to_be_checked()  # yours, kept

    conflict.get_by_role("button", name="Use yours").click()
    expect(conflict).to_be_hidden()
    expect(second.locator("#q-tier [data-save-status]")).to_have_text("Saved")
    first.reload()
    expect(first.locator("#q-tier").get_by_label("Tier B")).to_be_checked()

    # The other way round: the first tab is now behind and keeps theirs.
    first_staff = first.locator("#q-staff").get_by_label("Number")
    second.locator("#q-staff").get_by_label("Number").fill("8")
    expect(second.locator("#q-staff [data-save-status]")).to_have_text("Saved")
    first_staff.fill("9")
    first_conflict = first.locator("#q-staff [data-conflict]")
    expect(first_conflict).to_contain_text(": 8")
    first_conflict.get_by_role("link", name="Keep theirs").click()
    expect(first_staff).to_have_value("8")
    expect(first_conflict).to_be_hidden()


def test_pleasant_on_a_phone(new_page, login, assessment_id):
    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, CONTACT)
    phone.goto("/portal/assessments")
    _no_sideways_scroll(phone, "portal-assessments-phone.png")
    phone.goto(f"/portal/assessments/{assessment_id}?section=gov")
    phone.locator("#q-policy").get_by_label("Yes", exact=True).check()
    expect(phone.locator("#q-owner")).to_be_visible()
    # The section list folds into a menu on a phone.
    expect(phone.locator("nav[aria-label='Sections']")).to_be_hidden()
    phone.get_by_text("Sections ·").click()
    phone.locator("nav[aria-label='Sections (menu)']").get_by_role(
        "link", name=re.compile("Operations")
    ).click()
    expect(phone.get_by_role("heading", level=2, name="Operations")).to_be_visible()
    _no_sideways_scroll(phone, "portal-section-phone.png")
    phone.goto(f"/portal/assessments/{assessment_id}/submit")
    expect(phone.locator("[data-missing] li").first).to_be_visible()
    _no_sideways_scroll(phone, "portal-submit-phone.png")
