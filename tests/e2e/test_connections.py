"""In a real browser: the connection inventory, its attention filter, a connection, adding one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EXPIRING = "Credential expires within 30 days"


def _rows(page):
    return page.locator("main table tbody tr")


def test_flag_filter_lists_only_flagged_connections(page, login):
    login(page, "analyst@demo.chainlight")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Connections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connection inventory")
    everything = _rows(page).count()
    page.get_by_label("Needs attention").select_option("credential_expiring")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page).to_have_url(re.compile(r"flag=credential_expiring"))
    rows = _rows(page)
    expect(rows.first).to_be_visible()
    assert 1 <= rows.count() < everything
    for n in range(rows.count()):
        expect(rows.nth(n)).to_contain_text(EXPIRING)
    expect(page.locator("main")).to_contain_text("TMS REST API")  # RouteWise, 5 days left
    expect(page.get_by_label("Needs attention")).to_have_value("credential_expiring")


def test_open_a_connection(page, login):
    login(page, "exec@demo.chainlight")
    page.goto("/connections/?flag=no_encryption")
    page.locator("main table").get_by_role("link", name="Price list HTTP feed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Price list HTTP feed")
    main = page.locator("main")
    expect(main).to_contain_text("Anadolu Alüminyum Sanayi A.Ş.")
    expect(main).to_contain_text("http://prices.anadolu-aluminyum.com.tr/feed.xml")
    expect(main).to_contain_text("No encryption in transit")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)  # executives only read


def test_add_a_connection_for_a_supplier(page, login):
    login(page, "analyst@demo.chainlight")
    page.goto("/suppliers/?q=m%C3%BCller")
    page.locator("main table").get_by_role("link", name="Müller Präzisionsteile GmbH").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Müller Präzisionsteile GmbH")
    page.get_by_role("link", name="Add connection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a connection")
    supplier = page.get_by_label("Supplier", exact=True)
    expect(supplier.locator("option:checked")).to_contain_text("Müller Präzisionsteile GmbH")

    page.get_by_label("Connection name").fill("Kanban pull signals API")
    page.get_by_label("Kind").select_option("rest_api")
    page.get_by_label("Direction").select_option("outbound")
    page.get_by_label("Internal system").select_option("mes")
    page.get_by_label("Endpoint").fill("https://api.mueller-praezision.de/kanban")
    page.get_by_label("Orders", exact=True).check()
    page.get_by_label("Forecasts", exact=True).check()
    page.get_by_label("Authentication").select_option("oauth2_client_credentials")
    page.get_by_label("Encryption in transit").select_option("tls13")
    page.get_by_label("Integration layer").select_option("api_gateway")
    page.get_by_role("button", name="Add connection").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kanban pull signals API")
    expect(page.get_by_role("status").first).to_contain_text("added")
    main = page.locator("main")
    expect(main).to_contain_text("Müller Präzisionsteile GmbH")
    expect(main).to_contain_text("Forecasts")
    # Never reviewed yet: the new link is flagged, and listed for its supplier.
    expect(main).to_contain_text("Not reviewed within a year")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="V100111").click()
    expect(page.locator("main table")).to_contain_text("Kanban pull signals API")
