"""Attention flags for a connection."""

import datetime as dt

from risk_models.attention import ConnectionFacts, connection_flags

TODAY = dt.date(2026, 11, 25)


def facts(**kw):
    base = dict(
        encryption="tls13",
        integration_layer="api_gateway",
        credential_expires_on=None,
        last_reviewed_on=TODAY,
    )
    base.update(kw)
    return ConnectionFacts(**base)


def test_healthy_connection_raises_no_flag():
    assert connection_flags(facts(), TODAY) == []


def test_each_flag():
    assert connection_flags(facts(credential_expires_on=TODAY + dt.timedelta(days=30)), TODAY) == [
        "credential_expiring"
    ]
    assert connection_flags(facts(credential_expires_on=TODAY + dt.timedelta(days=31)), TODAY) == []
    assert connection_flags(facts(credential_expires_on=TODAY - dt.timedelta(days=1)), TODAY) == [
        "credential_expired"
    ]
    assert connection_flags(facts(encryption="none"), TODAY) == ["no_encryption"]
    assert connection_flags(facts(integration_layer="direct_core"), TODAY) == ["direct_core"]
    assert connection_flags(facts(last_reviewed_on=None), TODAY) == ["not_reviewed"]
    assert connection_flags(facts(last_reviewed_on=TODAY - dt.timedelta(days=366)), TODAY) == [
        "not_reviewed"
    ]


def test_retired_connection_raises_nothing():
    assert connection_flags(facts(encryption="none", status="retired"), TODAY) == []
