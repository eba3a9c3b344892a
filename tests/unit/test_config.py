import pytest

from marketplace import config


def test_production_refuses_missing_secrets(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.finalize({"ENV": "production"}, tmp_path)
    with pytest.raises(RuntimeError, match="ENCRYPTION_KEYS"):
        config.finalize({"ENV": "production", "SECRET_KEY": "x"}, tmp_path)


def test_production_defaults_are_safe(tmp_path):
    cfg = {"ENV": "production", "SECRET_KEY": "x", "ENCRYPTION_KEYS": "k", "DEMO_MODE": None}
    config.finalize(cfg, tmp_path)
    assert cfg["DEMO_MODE"] is False and cfg["SESSION_COOKIE_SECURE"] is True
    dev = {"DEMO_MODE": None}
    config.finalize(dev, tmp_path)
    assert dev["DEMO_MODE"] is True and dev["DATABASE_URL"].startswith("sqlite:///")


def test_environment_is_parsed(monkeypatch):
    monkeypatch.setenv("OCOP_DEMO_MODE", "0")
    monkeypatch.setenv("OCOP_PAYMENT_INTENT_TTL_HOURS", "6")
    parsed = config.from_environment()
    assert parsed["DEMO_MODE"] is False and parsed["PAYMENT_INTENT_TTL_HOURS"] == 6
