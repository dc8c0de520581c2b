"""Names in any script get a search key that ignores case and accents."""

import pytest

from app.models.text import normalise, search_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Công ty TNHH Thép Việt", "cong ty tnhh thep viet"),
        ("Đồng Nai Logistics", "dong nai logistics"),
        ("深圳精密电子有限公司", "深圳精密电子有限公司"),
        ("Müller Präzisionsteile GmbH", "muller prazisionsteile gmbh"),
        ("Straße AG", "strasse ag"),
        ("İstanbul Lojistik A.Ş.", "istanbul lojistik a.s."),
        ("  Spaces   inside  ", "spaces inside"),
    ],
)
def test_search_key_folds_case_and_accents(name, key):
    assert search_key(name) == key


def test_normalise_composes_decomposed_vietnamese():
    decomposed = "Vie\u0323\u0302t"  # e + dot below + circumflex, as some keyboards type it
    assert normalise(decomposed) == "Việt"
    assert search_key(decomposed) == "viet"
