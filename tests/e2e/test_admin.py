"""In a real browser: the admin creates a supplier contact (the supplier select follows
the role) and browses the audit trail on a phone-sized screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ADMIN = "admin@demo.chainlight"


def test_supplier_select_follows_the_role(page, login):
    login(page, ADMIN)
    page.goto("/admin/users/new")
    supplier = page.get_by_label("Supplier", exact=True)
    expect(supplier).to_be_hidden()
    page.get_by_label("Role").select_option("supplier")
    expect(supplier).to_be_visible()
    options = supplier.locator("option").all_inner_texts()
    supplier.select_option(label=options[1])
    page.get_by_label("Role").select_option("analyst")
    expect(supplier).to_be_hidden()
    expect(supplier).to_have_value("")  # a hidden choice is never sent
    page.get_by_label("Role").select_option("supplier")
    supplier.select_option(label=options[1])
    page.get_by_label("E-mail").fill("new.contact@example.com")
    page.get_by_label("Name").fill("Trần Thị Lan")
    page.get_by_label("Initial password").fill("a long passphrase here")
    page.get_by_label("Repeat the password").fill("a long passphrase here")
    with page.expect_navigation():
        page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trần Thị Lan")
    expect(page.get_by_role("main")).to_contain_text(options[1].rsplit(" (", 1)[0])


def test_audit_trail_on_a_phone(new_page, login):
    page = new_page(viewport={"width": 390, "height": 844})
    login(page, ADMIN)
    page.goto("/admin/audit")
    expect(page.get_by_role("status").filter(has_text="Chain intact")).to_be_visible()
    details = page.locator("details").first
    expect(details).to_be_visible()
    details.locator("summary").click()
    expect(details.locator("table")).to_be_visible()
    # The page itself does not scroll sideways; wide tables scroll in their own box.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.get_by_label("Action").select_option(index=1)
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"action="))
