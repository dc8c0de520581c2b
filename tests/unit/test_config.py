"""Configuration comes from the environment and refuses unsafe production settings."""

import pytest

from app.config import ConfigError, load_config, normalise_database_url


def test_default_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    uri = load_config()["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/chainlight.db")


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_production_refuses_default_secret(monkeypatch):
    monkeypatch.setenv("CHAINLIGHT_PRODUCTION", "1")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()


def test_production_accepts_long_secret_and_marks_cookies_secure(monkeypatch):
    monkeypatch.setenv("CHAINLIGHT_PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


def test_bad_number_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("CHAINLIGHT_LOCKOUT_ATTEMPTS", "many")
    with pytest.raises(ConfigError, match="CHAINLIGHT_LOCKOUT_ATTEMPTS"):
        load_config()
