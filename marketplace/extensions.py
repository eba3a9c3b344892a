"""Flask extensions, created here and bound in ``create_app``."""

from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

from marketplace.core.db import db

babel = Babel()
compress = Compress()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

LOCALE_COOKIE = "lang"


def select_locale() -> str:
    """``?lang=`` first, then the cookie set by the language switch; Vietnamese by default."""
    for candidate in (request.args.get("lang"), request.cookies.get(LOCALE_COOKIE)):
        if candidate in ("vi", "en"):
            return candidate
    return "vi"


__all__ = ["babel", "compress", "csrf", "db", "limiter", "select_locale", "LOCALE_COOKIE"]
