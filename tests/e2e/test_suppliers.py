"""In a real browser: the supplier list, search, profile, the add form, and a phone screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

THEP_VIET = "Công ty TNHH Thép Việt"
SHENZHEN = "深圳精密电子有限公司"


def _rows(page):
    return page.locator("main table tbody tr")


def test_list_shows_names_in_any_script(page, login):
    login(page, "analyst@demo.chainlight")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Suppliers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suppliers")
    # Sorted by code, the Vietnamese and the Chinese mill share the first page.
    page.get_by_role("columnheader", name="Code").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=code"))
    table = page.locator("main table")
    expect(table.get_by_role("link", name=THEP_VIET, exact=True)).to_be_visible()
    expect(table.get_by_role("link", name=SHENZHEN, exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="İstanbul Lojistik A.Ş.", exact=True)).to_be_visible()
    expect(_rows(page).first).to_contain_text("V100101")


def test_search_without_accents_finds_the_vietnamese_name(page, login):
    login(page, "analyst@demo.chainlight")
    page.goto("/suppliers/")
    search = page.get_by_role("searchbox", name="Search name or code")
    search.fill("thep viet")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"q=thep\+viet"))
    expect(_rows(page)).to_have_count(1)
    expect(page.get_by_role("searchbox", name="Search name or code")).to_have_value("thep viet")
    page.locator("main table").get_by_role("link", name=THEP_VIET).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(THEP_VIET)
    main = page.locator("main")
    expect(main).to_contain_text("V100101")
    expect(main).to_contain_text("Single source")
    expect(main).to_contain_text("EDI VAN orders (ORDERS/ORDRSP)")
    expect(main).to_contain_text("EuroEDI Network GmbH")  # its 4th party


def test_search_in_chinese(page, login):
    login(page, "exec@demo.chainlight")
    page.goto("/suppliers/?q=%E7%B2%BE%E5%AF%86")  # 精密
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text(SHENZHEN)
    expect(page.get_by_role("link", name="Add supplier")).to_have_count(0)  # read-only role


def test_add_a_supplier_with_a_validation_error_first(page, login):
    login(page, "analyst@demo.chainlight")
    page.goto("/suppliers/")
    page.get_by_role("link", name="Add supplier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add supplier")
    page.get_by_label("Supplier code").fill("V100101")  # taken by Thép Việt
    page.get_by_label("Legal name").fill("Công ty TNHH Cơ khí Đông Á")
    page.get_by_label("Country").select_option("VN")
    page.get_by_label("Category").select_option("component")
    page.get_by_label("Criticality").select_option("high")
    page.get_by_label("Website").fill("https://cokhidonga.vn")
    page.get_by_role("button", name="Save supplier").click()

    expect(page.get_by_role("alert")).to_contain_text("correct")
    code = page.get_by_label("Supplier code")
    expect(code).to_have_class(re.compile(r"is-invalid"))
    expect(page.locator(".invalid-feedback")).to_contain_text("already used")
    expect(page.get_by_label("Legal name")).to_have_value("Công ty TNHH Cơ khí Đông Á")

    code.fill("V900001")
    page.get_by_role("button", name="Save supplier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Công ty TNHH Cơ khí Đông Á")
    expect(page.get_by_role("status").first).to_contain_text("was added")
    expect(page.locator("main")).to_contain_text("V900001")
    page.goto("/suppliers/?q=co+khi+dong+a")
    expect(_rows(page)).to_have_count(1)


def test_suppliers_list_fits_a_phone(new_page, login):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login(page, "analyst@demo.chainlight")
    page.goto("/suppliers/")
    expect(page.locator("main table")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "suppliers-phone.png"), full_page=True)
    widths = page.evaluate(
        "() => ({body: document.body.scrollWidth, doc: document.documentElement.scrollWidth,"
        " inner: window.innerWidth})"
    )
    assert widths["inner"] == 390
    assert widths["body"] <= widths["inner"], widths
    assert widths["doc"] <= widths["inner"], widths
    # The navigation collapses behind the toggler and still opens.
    nav_suppliers = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Suppliers"
    )
    expect(nav_suppliers).to_be_hidden()
    page.get_by_role("button", name="Toggle navigation").click()
    expect(nav_suppliers).to_be_visible()
