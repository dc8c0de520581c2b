"""Server-side SVG charts: well-formed, escaped, readable without colour, explicit when empty."""

import xml.etree.ElementTree as ET
from pathlib import Path

from markupsafe import Markup

from app.charts import EMPTY_TEXT, bar_chart_svg, heatmap_svg, line_chart_svg
from risk_models.portfolio import heatmap
from risk_models.types import Appetite

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"


def parse(markup):
    assert isinstance(markup, Markup)
    root = ET.fromstring(str(markup))  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"svg:title[@id='{title_id}']", NS) is not None
    assert root.find(f"svg:desc[@id='{desc_id}']", NS) is not None
    return root


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def no_inline_style(markup):
    s = str(markup)
    return "style=" not in s and "<style" not in s and "<script" not in s


def test_heatmap_cells_print_count_and_band_with_tooltips():
    rows = heatmap({(5, 5): 2, (1, 1): 3, (3, 4): 1}, Appetite())
    svg = heatmap_svg(rows, title="Residual risk", link=lambda lik, imp: f"/s?cell={lik}-{imp}")
    root = parse(svg)
    assert root.find("svg:title", NS).text == "Residual risk"
    groups = [g for g in root.iter(f"{SVG}g") if "heat-cell" in g.get("class", "")]
    assert len(groups) == 25
    top_right = groups[4]  # first row is likelihood 5, last column impact 5
    assert "band-critical" in top_right.get("class")
    assert [t.text for t in top_right.iter(f"{SVG}text")] == ["2", "Critical"]
    assert top_right.find("svg:title", NS).text == (
        "Likelihood 5 × impact 5: 2 suppliers, band Critical"
    )
    bottom_left = groups[20]
    assert [t.text for t in bottom_left.iter(f"{SVG}text")] == ["3", "Low"]
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert sorted(links) == ["/s?cell=1-1", "/s?cell=3-4", "/s?cell=5-5"]  # only non-empty cells
    all_text = texts(root)
    assert "Impact →" in all_text and "Likelihood →" in all_text
    assert no_inline_style(svg)


def test_heatmap_without_links_and_escaped_title():
    rows = heatmap({(2, 2): 1}, Appetite())
    svg = heatmap_svg(rows, title=EVIL, link=None)
    root = parse(svg)
    assert root.find("svg:title", NS).text == EVIL
    assert "<script>" not in str(svg)
    assert list(root.iter(f"{SVG}a")) == []


def test_heatmap_empty_says_no_data_yet():
    for rows in ([], heatmap({}, Appetite())):
        root = parse(heatmap_svg(rows, title="Residual risk", link=None))
        assert EMPTY_TEXT in texts(root)
        assert root.find("svg:desc", NS).text == EMPTY_TEXT


def test_line_chart_axis_and_point_labels():
    points = [("2026-01", 7.25), ("2026-02", None), ("2026-03", 9.0), ("2026-04", 10.5)]
    svg = line_chart_svg(
        points,
        title="Mean residual score",
        y_max=25,
        y_label="Residual score",
        bands=[(0, 4, "low"), (4, 9, "medium"), (9, 15, "high"), (15, 25, "critical")],
        x_label="Month end",
    )
    root = parse(svg)
    all_text = texts(root)
    for label in ("2026-01", "2026-03", "2026-04", "Residual score", "Month end", "7.2", "10.5"):
        assert label in all_text, label
    for band in ("Low", "Medium", "High", "Critical"):
        assert band in all_text
    # the gap splits the line in two
    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    tips = [g.find("svg:title", NS).text for g in root.iter(f"{SVG}g")]
    assert "2026-04: 10.5 Residual score" in tips
    assert "2026-02: no data" in root.find("svg:desc", NS).text
    assert no_inline_style(svg)


def test_line_chart_escapes_labels_and_handles_single_point():
    svg = line_chart_svg([(EVIL, 3.0)], title="T", y_max=5, y_label=EVIL)
    root = parse(svg)
    assert "<script>" not in str(svg)
    assert EVIL in texts(root)


def test_line_chart_empty():
    for points in ([], [("2026-01", None)]):
        root = parse(line_chart_svg(points, title="Trend", y_max=25, y_label="Score"))
        assert EMPTY_TEXT in texts(root)


def test_bar_chart_values_labels_and_escaping():
    svg = bar_chart_svg([("ERP", 12), (EVIL, 3), ("A" * 60, 0)], title="By system")
    root = parse(svg)
    all_text = texts(root)
    assert "ERP" in all_text and "12" in all_text and "3" in all_text
    assert EVIL in all_text
    assert "<script>" not in str(svg)
    assert any(t.endswith("…") for t in all_text)  # long label shortened, full text in <title>
    tips = [g.find("svg:title", NS).text for g in root.iter(f"{SVG}g")]
    assert f"{'A' * 60}: 0" in tips
    widths = [int(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > 0
    assert no_inline_style(svg)


def test_bar_chart_empty():
    for bars in ([], [("x", 0)]):
        assert EMPTY_TEXT in texts(parse(bar_chart_svg(bars, title="Nothing")))


def test_ids_are_stable_and_distinct_per_chart():
    a = heatmap_svg(heatmap({(1, 1): 1}, Appetite()), title="A", link=None)
    b = heatmap_svg(heatmap({(1, 1): 2}, Appetite()), title="A", link=None)
    assert a == heatmap_svg(heatmap({(1, 1): 1}, Appetite()), title="A", link=None)
    assert parse(a).get("aria-labelledby") != parse(b).get("aria-labelledby")


def test_line_chart_spreads_over_its_width_and_thins_crowded_labels():
    few = parse(line_chart_svg([("a", 1.0), ("b", 2.0)], title="T", y_max=5, y_label="S"))
    wide = parse(
        line_chart_svg([("a", 1.0), ("b", 2.0)], title="T", y_max=5, y_label="S", width=1000)
    )
    assert few.get("viewBox").split()[2] == "720" and wide.get("viewBox").split()[2] == "1000"
    xs = [float(c.get("cx")) for c in wide.iter(f"{SVG}circle")]
    assert xs[1] - xs[0] > 800  # two points span the chart, not 60 units
    points = [(f"{day:02d} May 26", float(day % 7)) for day in range(1, 41)]
    root = parse(line_chart_svg(points, title="History", y_max=25, y_label="Score"))
    ticks = [t for t in texts(root) if t.endswith("May 26")]
    assert 4 <= len(ticks) < 40 and ticks[-1] == "40 May 26"  # the last is always labelled
    tips = [g.find("svg:title", NS).text for g in root.iter(f"{SVG}g")]
    assert len(tips) == 40  # every point keeps its tooltip
    assert "01 May 26: 1" in root.find("svg:desc", NS).text


def test_charts_fill_their_card_but_empty_ones_stay_small():
    line = parse(line_chart_svg([("a", 1.0)], title="T", y_max=5, y_label="S"))
    empty = parse(line_chart_svg([], title="T", y_max=5, y_label="S"))
    assert line.get("class") == "chart chart-line"
    assert empty.get("class") == "chart chart-line chart-is-empty"
    css = (Path(__file__).resolve().parents[2] / "app/static/css/dashboard.css").read_text()
    assert ".chart { display: block; width: 100%;" in css and ".chart-is-empty {" in css
