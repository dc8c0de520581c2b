"""In a real browser: logging in and out, and the navigation each role gets."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAIN_LINKS = 'nav[aria-label="Main"] ul.navbar-nav.me-auto a.nav-link'


def _nav_links(page) -> list[str]:
    """The menu's items, without a count badge ("Findings 3 to fix" -> "Findings")."""
    return [
        re.sub(r"\s+\d+ to fix$", "", " ".join(text.split()))
        for text in page.locator(MAIN_LINKS).all_inner_texts()
    ]


def test_wrong_password_shows_an_error(page, login, live_server):
    login(page, "exec@demo.chainlight", "not the right password")
    expect(page).to_have_url(re.compile(r"/login"))
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(re.compile("invalid", re.IGNORECASE))
    expect(page.locator(MAIN_LINKS)).to_have_count(0)


def test_analyst_lands_on_the_overview(page, login, live_server):
    login(page, "analyst@demo.chainlight")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supply-chain overview")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Ana Analyst")
    assert _nav_links(page) == [
        "Overview",
        "Suppliers",
        "Connections",
        "Assessments",
        "Findings",
        "Reports",
        "Questionnaires",
        "Controls",
        "Import",
    ]
    # The seeded network shows: attention counts link to filtered connection lists.
    expect(page.get_by_role("link", name=re.compile("Credential expires within"))).to_be_visible()


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (
            "exec@demo.chainlight",
            [
                "Overview",
                "Suppliers",
                "Connections",
                "Assessments",
                "Findings",
                "Reports",
                "Controls",
            ],
        ),
        (
            "admin@demo.chainlight",
            [
                "Overview",
                "Suppliers",
                "Connections",
                "Assessments",
                "Findings",
                "Reports",
                "Questionnaires",
                "Controls",
                "Import",
                "Admin",
            ],
        ),
        ("contact@thepviet.vn", ["My company", "Findings"]),
    ],
)
def test_navigation_fits_the_role(page, login, email, expected):
    login(page, email)
    assert _nav_links(page) == expected


def test_executive_cannot_open_the_import_page(page, login):
    login(page, "exec@demo.chainlight")
    response = page.goto("/import/")
    assert response.status == 403


def test_supplier_contact_lands_on_its_portal(page, login, live_server):
    login(page, "contact@thepviet.vn")
    expect(page).to_have_url(re.compile(r"/portal/"))
    assert page.goto("/suppliers/").status == 403


def test_log_out(page, login, live_server):
    login(page, "analyst@demo.chainlight")
    page.get_by_role("button", name=re.compile("Ana Analyst")).or_(
        page.get_by_role("link", name=re.compile("Ana Analyst"))
    ).click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Chainlight")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
