"""In a real browser, on the seeded demo: the analyst goes from the heat map to one supplier's
explained score and history; the executive reads the portfolio figures; the admin changes the
risk appetite and sees the new thresholds."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.services import Actor, risk
from risk_models.types import Appetite

pytestmark = pytest.mark.browser

ANALYST = "analyst@demo.chainlight"
EXECUTIVE = "exec@demo.chainlight"
ADMIN = "admin@demo.chainlight"


def test_analyst_goes_from_the_heat_map_to_a_supplier_risk_page(page, login):
    login(page, ANALYST)
    heatmap = page.locator("svg.chart-heatmap")
    expect(heatmap).to_be_visible()
    cell = heatmap.locator("a").first  # only cells with suppliers are links
    tip = cell.get_attribute("aria-label")  # "Likelihood 5 × impact 3: 1 supplier, band High"
    found = re.search(r"Likelihood (\d) × impact (\d): (\d+) suppliers?", tip or "")
    assert found, tip
    likelihood, impact, count = found.groups()
    with page.expect_navigation():
        cell.click()
    expect(page).to_have_url(re.compile(rf"/suppliers/\?cell={likelihood}-{impact}$"))
    expect(page.get_by_role("status").filter(has_text="Risk filter")).to_be_visible()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(int(count))  # the cell's count, one page of them
    link = rows.first.get_by_role("link").first
    name = link.inner_text().strip()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("link", name="Full risk explanation and history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Risk of {name}")

    explained = page.locator("section[aria-labelledby=h-explain]")
    expect(explained.get_by_role("heading", name="How the score was reached")).to_be_visible()
    steps = explained.locator("ol.risk-steps > li")
    expect(steps).to_have_count(6)
    expect(steps.nth(0)).to_contain_text(re.compile(r"Impact \d/5"))
    expect(steps.nth(3)).to_contain_text("Control effectiveness")
    expect(steps.nth(5)).to_contain_text(f"impact {impact}")  # the cell we came from
    expect(steps.nth(5)).to_contain_text(f"likelihood row {likelihood}")

    history = page.locator("section[aria-labelledby=h-history]")
    expect(history.get_by_role("heading", name="History: how the score moved")).to_be_visible()
    chart = history.locator("svg.chart-line")
    expect(chart).to_be_visible()
    chart_box, card_box = chart.bounding_box(), history.bounding_box()
    assert chart_box["width"] > 0.8 * card_box["width"], (chart_box, card_box)  # fills the card
    snapshots = history.locator("tbody tr")
    expect(snapshots.first).to_be_visible()
    expect(snapshots.last).to_contain_text("First score.")  # newest first, the first one last


def test_executive_sees_the_portfolio_figures(page, login):
    login(page, EXECUTIVE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Supply-chain risk portfolio")
    figures = page.locator("[aria-label='Key figures']")
    for label in (
        "Suppliers scored",
        "In high or critical",
        "Mean control effectiveness",
        "Assessments approved",
        "Assessments overdue",
    ):
        expect(figures).to_contain_text(label)
    values = figures.locator(".kpi")
    expect(values).to_have_count(5)
    effectiveness = int(values.nth(2).inner_text().rstrip("%"))
    assert 0 < effectiveness < 100  # the approved rounds of the demo earn control credit
    assert int(values.nth(3).inner_text()) > 0
    trend = page.locator("svg.chart-line").first
    expect(trend).to_be_visible()
    page.get_by_text("The trend as a table").click()
    expect(page.locator("details table tbody tr")).to_have_count(12)
    expect(page.get_by_role("link", name="Settings and risk appetite")).to_have_count(0)


def test_admin_changes_the_risk_appetite(page, login, live_app):
    login(page, ADMIN)
    page.get_by_role("link", name="Settings and risk appetite").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation settings")
    try:
        page.get_by_label("Low up to").fill("3")
        page.get_by_label("Medium up to").fill("8")
        page.get_by_label("High up to").fill("12")
        with page.expect_navigation():
            page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_role("status").filter(has_text="Settings saved")).to_contain_text(
            re.compile(r"Every supplier was banded again: \d+ suppliers? changed band")
        )
        expect(page.get_by_label("Low up to")).to_have_value("3")
        expect(page.get_by_label("Medium up to")).to_have_value("8")
        expect(page.get_by_label("High up to")).to_have_value("12")
        grid = page.locator("table.appetite-grid")
        expect(grid.locator("[title^='Likelihood 3 × impact 4 = 12:']")).to_contain_text("High")
        expect(grid.locator("[title^='Likelihood 3 × impact 5 = 15:']")).to_contain_text(
            "Critical"  # high up to 15 before
        )
        expect(grid.locator("[title^='Likelihood 1 × impact 4 = 4:']")).to_contain_text("Medium")
        # Every page bands with the new thresholds: the supplier's risk page says so.
        page.goto("/")
        page.locator("svg.chart-heatmap a").first.click()
        page.locator("main table tbody tr").first.get_by_role("link").first.click()
        page.get_by_role("link", name="Full risk explanation and history").click()
        expect(page.locator("ol.risk-steps > li").last).to_contain_text(
            "(low up to 3, medium up to 8, high up to 12, critical above)"
        )
    finally:  # the server is shared: put the default appetite back for the other tests
        with live_app.app_context():
            risk.set_appetite(db.session, Actor.system("e2e"), Appetite())
            db.session.commit()
