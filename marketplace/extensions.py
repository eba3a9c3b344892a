"""Flask extensions, created here and bound in ``create_app``."""

from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from marketplace.core.db import db

babel = Babel()
compress = Compress()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."


@login_manager.user_loader
def _load_user(user_id: str):  # type: ignore[no-untyped-def]
    from marketplace.accounts.models import User

    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


LOCALE_COOKIE = "lang"


def select_locale() -> str:
    """``?lang=`` first, then the cookie set by the language switch; Vietnamese by default."""
    for candidate in (request.args.get("lang"), request.cookies.get(LOCALE_COOKIE)):
        if candidate in ("vi", "en"):
            return candidate
    return "vi"


__all__ = [
    "babel",
    "compress",
    "csrf",
    "db",
    "limiter",
    "login_manager",
    "select_locale",
    "LOCALE_COOKIE",
]
