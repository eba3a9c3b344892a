"""Configuration: the only module that reads the environment.

Layers, later wins: the defaults below, then ``instance/config.py`` if present, then
environment variables (``OCOP_*`` plus ``DATABASE_URL`` / ``JOBS_URL`` / ``SECRET_KEY``),
then the overrides a test or script passes to ``create_app``.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_INSTANCE_DIR = PROJECT_DIR / "instance"


def instance_path() -> Path:
    """Where the SQLite database, job queue and uploaded media live by default."""
    return Path(os.environ.get("OCOP_INSTANCE_PATH", DEFAULT_INSTANCE_DIR)).resolve()


class Defaults:
    """Settings for one machine: SQLite, embedded jobs, sandbox marketplaces."""

    ENV = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None -> SQLite in the instance folder
    DATABASE_ECHO = False
    JOBS_URL: str | None = None  # None -> SqliteHuey in the instance folder
    MEDIA_DIR: str | None = None  # None -> <instance>/media
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    SITE_NAME = "Chợ OCOP"
    PUBLIC_BASE_URL: str | None = None  # absolute URLs in OpenGraph / JSON-LD; None -> request host
    PAGE_SIZE = 24
    API_MAX_LIMIT = 100
    SEARCH_MAX_QUERY_CHARS = 200
    IMAGE_MAX_BYTES = 10 * 1024 * 1024
    IMAGE_MAX_PIXELS = 40_000_000
    IMAGE_THUMB_SIZES = (320, 800)
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    API_RATE_LIMIT = "600 per minute"
    WTF_CSRF_TIME_LIMIT = None
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "application/javascript",
        "application/json",
        "image/svg+xml",
    ]
    COMPRESS_ALGORITHM = ["gzip"]
    COMPRESS_MIN_SIZE = 500
    # Flask-Compress's streaming path ignores COMPRESS_ALGORITHM and leaks the static file
    # handle; static files are small and cached for a day anyway.
    COMPRESS_STREAMS = False
    SEND_FILE_MAX_AGE_DEFAULT = 86400
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    #: comma-separated Fernet keys for credentials at rest, newest first (rotation);
    #: None -> derived from SECRET_KEY (development only)
    ENCRYPTION_KEYS: str | None = None
    #: demo mode: sandbox bank, "simulate a transfer" on payment pages; None -> on except in
    #: production
    DEMO_MODE: bool | None = None
    PAYMENT_INTENT_TTL_HOURS = 24
    #: the operator's own account, where producers' fees are paid (demo values by default)
    PLATFORM_BANK_BIN = "970436"
    PLATFORM_BANK_ACCOUNT = "0011009999999"
    PLATFORM_BANK_NAME = "CONG TY CHO OCOP DEMO"
    #: outbound webhooks to private/loopback addresses are refused (SSRF) unless this is set
    WEBHOOK_ALLOW_PRIVATE_URLS = False
    #: listing sync: first retry after ~this many seconds, doubling, at most LISTING_MAX_ATTEMPTS
    LISTING_RETRY_BASE_S = 5.0
    LISTING_MAX_ATTEMPTS = 8
    LISTING_HTTP_TIMEOUT_S = 10.0
    #: how long a worker holds a listing while syncing it; a killed worker's listing is free
    #: again after this (keep it well above one sync's duration)
    LISTING_LEASE_S = 180.0
    #: demo mode: the sandbox marketplaces listen on 127.0.0.1 from this port up (one each)
    SANDBOX_PORT = 8701
    #: live marketplace apps: {"shopee": {"base_url", "app_key", "app_secret"}, …} (JSON in env)
    CHANNEL_APPS: dict[str, dict[str, str]] | None = None
    #: outgoing mail (password reset links): smtp://user:pass@host:587 (STARTTLS when offered)
    #: or smtps://user:pass@host:465; None -> links are shown to an admin instead
    SMTP_URL: str | None = None
    MAIL_FROM = "Chợ OCOP <no-reply@localhost>"
    #: how many proxies in front set X-Forwarded-For/-Proto/-Host (nginx: 1); 0 trusts none
    PROXY_COUNT = 0
    INVITATION_TTL_DAYS = 7


_ENV_KEYS: dict[str, str] = {
    "DATABASE_URL": "DATABASE_URL",
    "JOBS_URL": "JOBS_URL",
    "SECRET_KEY": "SECRET_KEY",
    "OCOP_ENV": "ENV",
    "OCOP_MEDIA_DIR": "MEDIA_DIR",
    "OCOP_PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
    "OCOP_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "OCOP_RATELIMIT_ENABLED": "RATELIMIT_ENABLED",
    "OCOP_DATABASE_ECHO": "DATABASE_ECHO",
    "OCOP_ENCRYPTION_KEYS": "ENCRYPTION_KEYS",
    "OCOP_DEMO_MODE": "DEMO_MODE",
    "OCOP_WEBHOOK_ALLOW_PRIVATE_URLS": "WEBHOOK_ALLOW_PRIVATE_URLS",
    "OCOP_PAYMENT_INTENT_TTL_HOURS": "PAYMENT_INTENT_TTL_HOURS",
    "OCOP_PLATFORM_BANK_BIN": "PLATFORM_BANK_BIN",
    "OCOP_PLATFORM_BANK_ACCOUNT": "PLATFORM_BANK_ACCOUNT",
    "OCOP_PLATFORM_BANK_NAME": "PLATFORM_BANK_NAME",
    "OCOP_LISTING_RETRY_BASE_S": "LISTING_RETRY_BASE_S",
    "OCOP_LISTING_MAX_ATTEMPTS": "LISTING_MAX_ATTEMPTS",
    "OCOP_LISTING_HTTP_TIMEOUT_S": "LISTING_HTTP_TIMEOUT_S",
    "OCOP_LISTING_LEASE_S": "LISTING_LEASE_S",
    "OCOP_SANDBOX_PORT": "SANDBOX_PORT",
    "OCOP_CHANNEL_APPS": "CHANNEL_APPS",
    "OCOP_SMTP_URL": "SMTP_URL",
    "OCOP_MAIL_FROM": "MAIL_FROM",
    "OCOP_PROXY_COUNT": "PROXY_COUNT",
    "OCOP_INVITATION_TTL_DAYS": "INVITATION_TTL_DAYS",
}
_BOOL_KEYS = {"RATELIMIT_ENABLED", "DATABASE_ECHO", "DEMO_MODE", "WEBHOOK_ALLOW_PRIVATE_URLS"}
_INT_KEYS = {
    "PAYMENT_INTENT_TTL_HOURS",
    "LISTING_MAX_ATTEMPTS",
    "SANDBOX_PORT",
    "PROXY_COUNT",
    "INVITATION_TTL_DAYS",
}
_FLOAT_KEYS = {"LISTING_RETRY_BASE_S", "LISTING_HTTP_TIMEOUT_S", "LISTING_LEASE_S"}


def from_environment() -> dict[str, Any]:
    """The settings given by environment variables."""
    out: dict[str, Any] = {}
    for env_key, key in _ENV_KEYS.items():
        value = os.environ.get(env_key)
        if value is None or value == "":
            continue
        if key in _BOOL_KEYS:
            out[key] = value.lower() in {"1", "true", "yes", "on"}
        elif key in _INT_KEYS:
            out[key] = int(value)
        elif key in _FLOAT_KEYS:
            out[key] = float(value)
        elif key == "CHANNEL_APPS":
            out[key] = json.loads(value)
        else:
            out[key] = value
    return out


def jobs_url() -> str | None:
    """Where the job queue lives: ``redis://…`` to scale out; None -> SQLite in the instance."""
    return os.environ.get("JOBS_URL") or None


def jobs_immediate() -> bool:
    """Run jobs inline instead of queueing them (tests and one-off scripts)."""
    return os.environ.get("OCOP_JOBS_IMMEDIATE", "") in {"1", "true", "yes"}


def test_database_url() -> str | None:
    """The PostgreSQL URL the test suite should also run its database tests on."""
    return os.environ.get("TEST_DATABASE_URL") or None


def require_browser() -> bool:
    """CI sets this so a missing Chromium fails the browser tests instead of skipping them."""
    return os.environ.get("OCOP_REQUIRE_BROWSER", "") in {"1", "true", "yes"}


def chromium_path() -> str:
    """The Chromium binary the browser tests drive."""
    return os.environ.get("OCOP_CHROMIUM", "/usr/bin/chromium")


def finalize(config: dict[str, Any], instance_dir: Path) -> None:
    """Fill the derived settings (database and media paths, secret key)."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_dir / 'ocop.sqlite3'}"
    if not config.get("MEDIA_DIR"):
        config["MEDIA_DIR"] = str(instance_dir / "media")
    if not config.get("SECRET_KEY"):
        if config.get("ENV") == "production":
            raise RuntimeError("SECRET_KEY must be set in production (see docs/OPERATIONS.md)")
        config["SECRET_KEY"] = _development_secret(instance_dir)
    if config.get("ENV") == "production":
        if not config.get("ENCRYPTION_KEYS"):
            raise RuntimeError("OCOP_ENCRYPTION_KEYS must be set in production")
        config.setdefault("SESSION_COOKIE_SECURE", True)
        if config.get("SMTP_URL") and not config.get("PUBLIC_BASE_URL"):
            # links in mail must not be built from the request's Host header
            raise RuntimeError("OCOP_PUBLIC_BASE_URL must be set when OCOP_SMTP_URL is")
    if config.get("DEMO_MODE") is None:
        config["DEMO_MODE"] = config.get("ENV") != "production"


def _development_secret(instance_dir: Path) -> str:
    """A random key kept in the instance folder so sessions survive restarts on one machine."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
