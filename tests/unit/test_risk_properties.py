"""Properties the risk model must keep for any input (design §4): monotone, in range, pure."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from risk_models import vocab
from risk_models.controls import Catalog, summarise
from risk_models.inherent import TIER_LABELS
from risk_models.model import evaluate, fingerprint
from risk_models.residual import BANDS, grid_row
from risk_models.types import (
    Appetite,
    ConnectionInput,
    MitigationInput,
    QuestionResult,
    SupplierInput,
)

BAND_ORDER = list(BANDS)
SOURCE = "Test questionnaire v1, round 1"
CATALOG = Catalog(
    {
        "csf2": ("GV.SC-01", "GV.SC-02"),
        "sp800-53r5": ("SR-1", "SR-3"),
        "iso28000": ("ISO28000-8.1",),
    },
    "test",
)
CONTROLS = [c for ids in CATALOG.frameworks.values() for c in ids]

connections = st.builds(
    ConnectionInput,
    id=st.integers(1, 10_000),
    name=st.text(min_size=1, max_size=12),
    kind=st.sampled_from(list(vocab.CONNECTION_KINDS)),
    direction=st.sampled_from(list(vocab.DIRECTIONS)),
    internal_system=st.sampled_from(list(vocab.INTERNAL_SYSTEMS)),
    authentication=st.sampled_from(list(vocab.AUTHENTICATIONS)),
    encryption=st.sampled_from(list(vocab.ENCRYPTIONS)),
    integration_layer=st.sampled_from(list(vocab.INTEGRATION_LAYERS)),
    access_level=st.sampled_from(list(vocab.ACCESS_LEVELS)),
    data_classes=st.lists(st.sampled_from(list(vocab.DATA_CLASSES)), max_size=3, unique=True).map(
        tuple
    ),
)
questions = st.builds(
    QuestionResult,
    key=st.from_regex(r"q[0-9]{1,3}", fullmatch=True),
    controls=st.lists(st.sampled_from(CONTROLS), min_size=1, max_size=2, unique=True).map(tuple),
    weight=st.sampled_from([0.5, 1.0, 2.0, 3.0, 5.0]),
    required=st.booleans(),
    status=st.sampled_from(["answered", "answered", "answered", "unanswered", "na"]),
    score=st.one_of(st.none(), st.sampled_from([0.0, 0.3, 0.5, 0.6, 1.0])),
    accepted=st.booleans(),
)
mitigations = st.builds(
    MitigationInput,
    id=st.integers(1, 1000),
    title=st.text(max_size=10),
    severity=st.sampled_from(["critical", "high", "medium", "low"]),
    verified=st.booleans(),
)
appetites = (
    st.tuples(st.integers(1, 22), st.integers(1, 10), st.integers(1, 10))
    .map(lambda t: Appetite(t[0], min(t[0] + t[1], 23), min(t[0] + t[1] + t[2], 24)))
    .filter(lambda a: not a.problems())
)
suppliers = st.builds(
    SupplierInput,
    id=st.just(1),
    name=st.just("Supplier"),
    category=st.sampled_from(list(vocab.SUPPLIER_CATEGORIES)),
    criticality=st.sampled_from(list(vocab.CRITICALITIES)),
    single_source=st.booleans(),
    connections=st.lists(connections, max_size=6).map(tuple),
    sub_supplier_count=st.integers(0, 6),
    answers=st.lists(questions, max_size=12).map(lambda qs: (summarise(qs, SOURCE),)),
    iso28000_certified=st.booleans(),
    mitigations=st.lists(mitigations, max_size=3).map(tuple),
    appetite=appetites,
)


def _risk(supplier: SupplierInput):
    r = evaluate(supplier, CATALOG)
    return r.residual_score, BAND_ORDER.index(r.band)


@settings(max_examples=150, deadline=None)
@given(suppliers)
def test_results_stay_in_range(supplier):
    r = evaluate(supplier, CATALOG)
    assert 1 <= r.impact <= 5 and 1 <= r.likelihood <= 5
    assert r.tier in TIER_LABELS and r.band in BANDS
    assert 0 <= r.effectiveness <= 1
    assert 1 <= r.residual_likelihood <= r.likelihood
    assert 1 <= r.residual_score <= r.inherent_score <= 25
    assert r.cell == (grid_row(r.residual_likelihood), r.impact)
    assert r.cell[0] <= r.likelihood
    for c in r.controls:
        assert c.score is None or 0 <= c.score <= 1
    for cov in r.coverage:
        assert 0 <= cov.met <= cov.assessed <= cov.total
        assert cov.score is None or 0 <= cov.score <= 1
    assert r.impact_factors and r.likelihood_factors and r.effectiveness_factors


@settings(max_examples=150, deadline=None)
@given(suppliers, st.lists(questions, min_size=1, max_size=12), st.data())
def test_a_better_answer_never_raises_residual_risk(supplier, qs, data):
    i = data.draw(st.integers(0, len(qs) - 1))
    q = qs[i]
    worse = dataclasses.replace(
        q, status="answered", accepted=True, score=data.draw(st.sampled_from([0.0, 0.5]))
    )
    better = dataclasses.replace(worse, score=data.draw(st.sampled_from([0.5, 0.6, 1.0])))
    qs_worse = [*qs[:i], worse, *qs[i + 1 :]]
    qs_better = [*qs[:i], better, *qs[i + 1 :]]
    score_w, band_w = _risk(dataclasses.replace(supplier, answers=(summarise(qs_worse, SOURCE),)))
    score_b, band_b = _risk(dataclasses.replace(supplier, answers=(summarise(qs_better, SOURCE),)))
    assert score_b <= score_w
    assert band_b <= band_w


@settings(max_examples=150, deadline=None)
@given(suppliers, connections)
def test_an_added_connection_never_lowers_inherent_risk(supplier, extra):
    before = evaluate(supplier, CATALOG)
    after = evaluate(
        dataclasses.replace(supplier, connections=supplier.connections + (extra,)), CATALOG
    )
    assert after.impact >= before.impact
    assert after.likelihood >= before.likelihood
    assert after.inherent_score >= before.inherent_score
    assert after.tier <= before.tier  # tier 1 is the highest
    assert after.critical_connections >= before.critical_connections


@settings(max_examples=100, deadline=None)
@given(suppliers, mitigations)
def test_a_verified_mitigation_never_raises_residual_risk(supplier, extra):
    verified = dataclasses.replace(extra, verified=True)
    before = _risk(supplier)
    after = _risk(dataclasses.replace(supplier, mitigations=supplier.mitigations + (verified,)))
    assert after[0] <= before[0] and after[1] <= before[1]


@settings(max_examples=100, deadline=None)
@given(suppliers, appetites)
def test_a_stricter_appetite_never_gives_a_milder_band(supplier, other):
    lower = Appetite(
        min(supplier.appetite.low_max, other.low_max),
        min(supplier.appetite.medium_max, other.medium_max),
        min(supplier.appetite.high_max, other.high_max),
    )
    strict = _risk(dataclasses.replace(supplier, appetite=lower))[1]
    assert strict >= _risk(supplier)[1]


@settings(max_examples=100, deadline=None)
@given(suppliers)
def test_same_inputs_same_output_and_hash(supplier):
    copy = dataclasses.replace(supplier)
    assert evaluate(supplier, CATALOG) == evaluate(copy, CATALOG)
    assert fingerprint(supplier, CATALOG) == fingerprint(copy, CATALOG)
    changed = dataclasses.replace(supplier, single_source=not supplier.single_source)
    assert fingerprint(changed, CATALOG) != fingerprint(supplier, CATALOG)
