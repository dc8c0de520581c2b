"""Shared field parsers: the rules every form, import and API call goes through."""

import datetime as dt

import pytest

from app.services import validation as v


def test_text_trims_normalises_and_limits():
    assert v.text("  Công   ty ", max_len=20) == "Công ty"
    with pytest.raises(v.FieldError, match="At most 5"):
        v.text("abcdef", max_len=5)
    with pytest.raises(v.FieldError, match="required"):
        v.text("  ", max_len=5, required=True)


@pytest.mark.parametrize("bad", ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f"])
def test_control_characters_are_refused(bad):
    with pytest.raises(v.FieldError, match="control characters"):
        v.text(bad, max_len=50)
    with pytest.raises(v.FieldError, match="control characters"):
        v.long_text(bad)


def test_line_breaks_and_tabs_are_fine_in_long_text():
    assert v.long_text("line one\r\nline\ttwo") == "line one\nline\ttwo"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (5, 5),
        ("12", 12),
        (" 7 ", 7),
        (0, None),
        ("-1", None),
        ("2147483648", None),
        ("99999999999999999999", None),
        (True, None),
        ("١٢", None),
        ("abc", None),
        (None, None),
    ],
)
def test_record_id(raw, expected):
    assert v.record_id(raw) == expected


def test_choice_accepts_value_or_label_and_lists_allowed_values():
    vocab = {"rest_api": "REST API", "sftp": "SFTP"}
    assert v.choice("REST API", vocab) == "rest_api"
    assert v.choice("sftp", vocab) == "sftp"
    with pytest.raises(v.FieldError, match="rest_api, sftp"):
        v.choice("pigeon", vocab)


def test_dates_and_bounds():
    assert v.date("2026-11-25") == dt.date(2026, 11, 25)
    assert v.date(dt.datetime(2026, 1, 2, 3, 4)) == dt.date(2026, 1, 2)
    with pytest.raises(v.FieldError, match="YYYY-MM-DD"):
        v.date("31/31/2020")
    with pytest.raises(v.FieldError, match="after"):
        v.date("2027-01-01", not_after=dt.date(2026, 12, 31))


def test_country_from_code_or_name():
    assert v.country("vn") == "VN"
    assert v.country("Germany") == "DE"
    assert v.country("TUR") == "TR"
    with pytest.raises(v.FieldError, match="Unknown country"):
        v.country("Atlantis")
