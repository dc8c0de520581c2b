"""The PDF builders over synthetic contexts (no database): what the pages say, scripts,
page counts, repeated table headers, markup injection, the font fallback, the changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import re

import pypdf
import pytest

from reports import REPORT_KINDS, changes, page_count
from reports.context import AppendixRow, Change, Concentration, RiskySupplier
from reports.fonts import CJK_FONT, HANGUL_FONT, markup, plain_font, register_fonts
from reports.portfolio import build_portfolio
from reports.sample import CHINESE, VIETNAMESE, sample_portfolio, sample_supplier
from reports.supplier import build_supplier
from reports.text import fit

HEADER = ("Code", "Supplier", "Country", "Tier", "Band", "Score", "Open findings")


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def portfolio_pdf() -> bytes:
    return build_portfolio(sample_portfolio(1000))


@pytest.fixture(scope="module")
def portfolio_pages(portfolio_pdf) -> list[str]:
    return pages_text(portfolio_pdf)


def test_portfolio_cover_figures_changes_and_scripts(portfolio_pages):
    cover, contents, summary = portfolio_pages[:3]
    assert "Hanseatic Motors AG" in cover
    assert "Supplier cyber risk report" in cover
    assert "Reporting period: 1 March 2026 – 31 March 2026" in cover
    assert "Page" not in cover  # no footer on the cover
    assert "Contents" in contents and "Appendix: all suppliers" in contents
    assert "Executive summary" in summary
    assert "1,000" in summary and "Suppliers (980 scored)" in summary
    assert "Open findings" in summary and "318" in summary
    everything = "\n".join(portfolio_pages)
    assert "Changes since the last report" in summary  # early: on the summary's page
    assert "Compared with the last report (of 2026-02-28)" in everything
    assert f"{VIETNAMESE}: tier 3 → tier 1 (more critical)" in everything
    assert f"{CHINESE}: tier 2 → tier 3 (less critical)" in everything
    assert VIETNAMESE in everything and CHINESE in everything
    assert "株式会社浜松精機" in everything
    for heading in (
        "Risk picture",
        "Residual-risk trend",
        "Top 10 riskiest suppliers",
        "Framework coverage",
        "Concentration risks",
    ):
        assert heading in everything, heading


def test_every_page_but_the_cover_is_numbered(portfolio_pdf, portfolio_pages):
    total = len(portfolio_pages)
    assert page_count(portfolio_pdf) == total
    for number, text in enumerate(portfolio_pages[1:], start=2):
        assert f"Page {number} of {total}" in text


def test_contents_give_the_pages_the_sections_start_on(portfolio_pages):
    from reports.portfolio import SECTIONS

    contents = portfolio_pages[1]
    # The page numbers are drawn once the last page is known: after the rest of the page.
    numbers = [int(n) for n in re.findall(r"^(\d+)$", contents, re.M)]
    starts = [
        next(n for n, text in enumerate(portfolio_pages[2:], start=3) if title in text.splitlines())
        for _key, title, _level in SECTIONS
    ]
    assert numbers == starts
    assert starts[-1] > starts[0]


def test_a_thousand_suppliers_fill_many_pages_with_every_row(portfolio_pages):
    assert len(portfolio_pages) > 10
    everything = "\n".join(portfolio_pages)
    ctx = sample_portfolio(1000)
    for row in ctx.appendix[::97]:
        assert row.code in everything, row.code
    assert everything.count("V000") >= 1000


def test_appendix_tables_repeat_their_header_on_every_page(portfolio_pages):
    first = next(
        n for n, t in enumerate(portfolio_pages) if n > 1 and "Appendix: all suppliers\n" in t
    )
    appendix = portfolio_pages[first:]
    assert len(appendix) >= 10
    for text in appendix:  # the first page, then pages where a table continues or restarts
        lines = [line.strip() for line in text.splitlines()]
        assert re.search(r"^V\d{6}$", text, re.M)
        start = lines.index("Code")
        assert tuple(lines[start : start + len(HEADER)]) == HEADER


def test_first_report_says_there_is_nothing_to_compare():
    text = "\n".join(pages_text(build_portfolio(sample_portfolio(20, first_report=True))))
    assert "This is the first report" in text
    assert "Compared with the last report" not in text


def test_no_change_since_the_last_report():
    ctx = dataclasses.replace(sample_portfolio(20), changes=())
    text = "\n".join(pages_text(build_portfolio(ctx)))
    assert "Nothing changed since the last report (of 2026-02-28)." in text


def test_many_changes_of_a_kind_are_cut_and_counted():
    many = tuple(Change("tier_change", f"Supplier {i}: tier 3 → tier 2") for i in range(40))
    ctx = dataclasses.replace(sample_portfolio(20), changes=many)
    text = "\n".join(pages_text(build_portfolio(ctx)))
    assert "Supplier 24: tier 3 → tier 2" in text
    assert "Supplier 25: tier" not in text
    assert "… and 15 more." in text


EVIL = "<font color=\"[[[__import__('os').system('touch {path}')]]]\">x</font>"


def test_supplier_text_cannot_inject_markup(tmp_path):
    marker = tmp_path / "pwned"
    evil = EVIL.format(path=marker)
    base = sample_portfolio(30)
    ctx = dataclasses.replace(
        base,
        org_name=evil,
        top_risks=(RiskySupplier("V1", evil, evil, 1, "critical", 20.0, (evil,)),),
        changes=(Change("tier_change", f"{evil}: tier 3 → tier 1"),),
        concentrations=(Concentration("shared_fourth_party", evil, 3, evil),),
        appendix=(AppendixRow("V1", evil, "Germany", 1, "critical", 20.0, 1), *base.appendix),
    )
    text = "\n".join(pages_text(build_portfolio(ctx)))
    supplier = sample_supplier()
    profile = dataclasses.replace(supplier.profile, name=evil, owner=evil)
    sctx = dataclasses.replace(supplier, org_name=evil, profile=profile)
    text += "\n".join(pages_text(build_supplier(sctx)))
    assert not marker.exists()
    assert text.count("__import__('os')") >= 8  # printed literally wherever it appears
    assert '<font color="[[[' in text


def test_markup_escapes_first_then_wraps_east_asian_runs():
    assert markup('<b>深圳</b> & "x"') == (
        f'&lt;b&gt;<font name="{CJK_FONT}">深圳</font>&lt;/b&gt; &amp; &quot;x&quot;'
    )
    assert markup("창원정밀 주식회사") == (
        f'<font name="{HANGUL_FONT}">창원정밀</font> <font name="{HANGUL_FONT}">주식회사</font>'
    )
    assert markup("Vie\u0302\u0323t\x00") == "Việt"  # NFC, control characters dropped
    assert markup("a\nb", newlines=True) == "a<br/>b"


def test_plain_cells_pick_the_font_their_script_needs():
    assert plain_font("Công ty TNHH Thép Việt") == ""
    assert plain_font("深圳Supplier 12") == CJK_FONT
    assert plain_font("창원정밀 주식회사 7") == HANGUL_FONT
    assert plain_font("Công ty 深圳") is None  # mixed: a Paragraph does it


def test_fit_cuts_long_text_with_an_ellipsis():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    fonts = register_fonts()
    long = "Obróbka Metali Łódź Sp. z o.o. " * 5
    cut = fit(long, fonts.regular, 8, 100)
    assert cut.endswith("…") and len(cut) < len(long)
    assert stringWidth(cut, fonts.regular, 8) <= 100
    assert fit("Acme", fonts.regular, 8, 100) == "Acme"


def test_missing_dejavu_falls_back_to_helvetica_and_still_builds(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="reports.fonts"):
        fonts = register_fonts([tmp_path / "no-fonts-here"])
    assert fonts.fallback is True
    assert (fonts.regular, fonts.bold) == ("Helvetica", "Helvetica-Bold")
    assert "DejaVu Sans not found" in fonts.note
    assert "Helvetica" in caplog.text
    pdf = build_portfolio(sample_portfolio(60), fonts=fonts)
    text = "\n".join(pages_text(pdf))
    assert "Executive summary" in text and CHINESE in text  # CJK keeps its CID font
    assert b"DejaVu" not in pdf
    assert page_count(build_supplier(sample_supplier(), fonts=fonts)) >= 3


def test_dejavu_is_used_when_present():
    fonts = register_fonts()
    assert fonts.fallback is False and fonts.regular == "DejaVuSans"
    assert b"DejaVuSans" in build_supplier(sample_supplier())


def test_supplier_report_explains_the_score_and_lists_findings_and_answers():
    ctx = sample_supplier()
    pages = pages_text(build_supplier(ctx))
    text = "\n".join(pages)
    assert "Supplier risk report: Công ty TNHH Thép Việt" in " ".join(pages[0].split())
    for expected in (
        "Why this score",
        "1. Impact 5/5",
        "Control effectiveness",
        "66%",
        "Mill maintenance VPN",
        "Findings and remediation",
        "SR-3 control scored 20% in C-SCRM Core v1, round 1",
        "Named engineer accounts",
        "Risk accepted until 2026-06-30",
        "Reviewed answers",
        "Needs clarification",
        "Incident response",
        "深圳精密电子有限公司",
    ):
        assert expected in text, expected
    assert f"Page 2 of {len(pages)}" in pages[1]


def test_supplier_report_before_any_score_or_answer():
    ctx = dataclasses.replace(sample_supplier(), score=None, assessments=(), findings=())
    text = "\n".join(pages_text(build_supplier(ctx)))
    assert "This supplier has not been scored yet." in text
    assert "No approved assessment yet." in text and "No findings." in text


def test_registry_builds_each_kind_from_its_context():
    assert set(REPORT_KINDS) == {"portfolio", "supplier"}
    pdf = REPORT_KINDS["supplier"](sample_supplier())
    assert pdf.startswith(b"%PDF") and page_count(pdf) == len(pages_text(pdf))
    assert REPORT_KINDS["supplier"].needs_supplier and not REPORT_KINDS["portfolio"].needs_supplier
    with pytest.raises(TypeError):
        REPORT_KINDS["portfolio"](sample_supplier())


# --- changes since the last report -----------------------------------------------------


def facts(**overrides):
    values = dict(
        as_of=dt.date(2026, 2, 28),
        tiers=[(1, 3), (2, 2), (3, 4)],
        critical_connections=[10],
        fourth_party_links=[(1, 3)],
        overdue_findings=[100],
        lapsed_acceptances=[],
    )
    values.update(overrides)
    return changes.facts_of(**values)


LABELS = changes.Labels(
    suppliers={1: "Thép Việt (V1)", 2: "Acme (V2)", 3: "EDI-Net (V3)", 4: "New Co (V4)"},
    connections={11: "Acme (V2) · Remote support (Vendor remote access)"},
    findings={101: "Acme (V2): SR-6 scored 0% (high, due 2026-03-20)"},
    acceptances={7: "Thép Việt (V1): acceptance of “MFA” (until 2026-03-10)"},
)


def test_facts_are_json_and_compare_equal_after_a_round_trip():
    before = facts()
    assert json.loads(json.dumps(before)) == before
    assert changes.diff(json.loads(json.dumps(before)), before) == []
    assert changes.as_of(before) == dt.date(2026, 2, 28)


def test_diff_lists_each_kind_of_change_worded_with_labels():
    before = facts()
    now = facts(
        as_of=dt.date(2026, 3, 31),
        tiers=[(1, 1), (2, 2), (3, 4), (4, 2)],  # 1 moved up; 4 is new (not a tier change)
        critical_connections=[10, 11],
        fourth_party_links=[(1, 3), (2, 3)],
        overdue_findings=[101],  # 100 no longer overdue: not a change we list
        lapsed_acceptances=[7],
    )
    found = changes.diff(before, now, LABELS)
    assert [(c.kind, c.text) for c in found] == [
        ("tier_change", "Thép Việt (V1): tier 3 → tier 1 (more critical)"),
        (
            "new_critical_connection",
            "Acme (V2) · Remote support (Vendor remote access) is now a critical connection",
        ),
        ("new_fourth_party", "Acme (V2) now depends on EDI-Net (V3) (4th party)"),
        (
            "newly_overdue_finding",
            "Acme (V2): SR-6 scored 0% (high, due 2026-03-20) is now overdue",
        ),
        (
            "lapsed_acceptance",
            "Thép Việt (V1): acceptance of “MFA” (until 2026-03-10) lapsed; the finding is open again",
        ),
    ]
    assert changes.wanted(before, now) == {
        "suppliers": {1, 2, 3},
        "connections": {11},
        "findings": {101},
        "acceptances": {7},
    }


def test_no_previous_facts_or_another_version_give_no_changes():
    now = facts()
    assert changes.diff(None, now) == []
    assert changes.diff({**now, "version": 999}, now) == []
    assert changes.as_of(None) is None
    assert changes.wanted(None, now)["suppliers"] == set()


def test_unlabelled_ids_are_named_by_their_id():
    found = changes.diff(facts(), facts(tiers=[(1, 2), (2, 2), (3, 4)]))
    assert [c.text for c in found] == ["Supplier #1: tier 3 → tier 2 (more critical)"]


def test_an_empty_portfolio_still_makes_a_report():
    from reports.context import KeyFigures, PortfolioContext

    ctx = PortfolioContext(
        "Empty Org",
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
        dt.datetime(2026, 3, 31),
        KeyFigures(suppliers=0, scored=0),
    )
    text = "\n".join(pages_text(build_portfolio(ctx)))
    assert "No supplier has been scored yet." in text
    assert "All 0 live suppliers" in text
