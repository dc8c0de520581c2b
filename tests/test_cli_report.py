"""flask report generate: both kinds, facts for the next run, and bad input refused with
one clear line and a non-zero exit."""

from __future__ import annotations

import io
import json
import re

import pypdf

from app.extensions import db
from app.services import risk
from tests import factories


def _network(app) -> int:
    with app.app_context():
        a = factories.make_supplier(db.session, code="VN-1", legal_name="Công ty TNHH Thép Việt")
        b = factories.make_supplier(db.session, code="CN-1", legal_name="深圳精密电子有限公司")
        factories.make_connection(db.session, a, kind="vendor_remote_access")
        factories.make_connection(db.session, b, data_classes=["pricing"])
        risk.recompute(db.session)
        db.session.commit()
        return a.id


def _error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def test_portfolio_report_is_written_and_described(app, runner, tmp_path):
    _network(app)
    out = tmp_path / "portfolio.pdf"
    facts = tmp_path / "facts.json"
    result = runner.invoke(
        args=[
            "report",
            "generate",
            "--kind",
            "portfolio",
            "--out",
            str(out),
            "--facts-out",
            str(facts),
        ]
    )
    assert result.exit_code == 0, result.output
    match = re.fullmatch(rf"{re.escape(str(out))}: (\d+) pages, (\d+) KB\n", result.output)
    assert match, result.output
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == int(match.group(1)) >= 5
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Công ty TNHH Thép Việt" in text and "深圳精密电子有限公司" in text
    assert "This is the first report" in text
    stored = json.loads(facts.read_text())
    assert stored["version"] == 1 and len(stored["critical_connections"]) == 1
    again = runner.invoke(
        args=[
            "report",
            "generate",
            "--kind",
            "portfolio",
            "--out",
            str(out),
            "--previous-facts",
            str(facts),
        ]
    )
    assert again.exit_code == 0, again.output
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Nothing changed since the last report" in text
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_supplier_report_by_id_or_code(app, runner, tmp_path):
    sid = _network(app)
    for key in (str(sid), "vn-1"):
        out = tmp_path / f"supplier-{key}.pdf"
        result = runner.invoke(
            args=["report", "generate", "--kind", "supplier", "--supplier", key, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"{out}: ")
        text = out.read_bytes()
        assert text.startswith(b"%PDF")


def test_bad_input_exits_non_zero_with_one_line(app, runner, tmp_path):
    _network(app)
    out = str(tmp_path / "r.pdf")
    cases = [
        (
            ["--kind", "weekly", "--out", out],
            "Error: Unknown kind 'weekly': choose one of portfolio, supplier.",
        ),
        (
            ["--kind", "supplier", "--out", out],
            "Error: A supplier report needs --supplier ID_OR_CODE.",
        ),
        (
            ["--kind", "supplier", "--supplier", "NOPE-9", "--out", out],
            "Error: Unknown supplier: 'NOPE-9' (give an id or a code).",
        ),
        (
            ["--kind", "portfolio", "--out", str(tmp_path / "missing" / "r.pdf")],
            f"Error: Cannot write {tmp_path / 'missing' / 'r.pdf'}: no such directory "
            f"{tmp_path / 'missing'}.",
        ),
        (
            ["--kind", "portfolio", "--out", str(tmp_path)],
            f"Error: {tmp_path} is a directory; give a file name.",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(args=["report", "generate", *args])
        assert result.exit_code != 0, args
        assert _error_lines(result) == [message], result.output
    assert not (tmp_path / "r.pdf").exists()
