"""The application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, render_template, request, send_from_directory
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from marketplace import config as cfg
from marketplace.core.clock import VIETNAM, today
from marketplace.core.db import db
from marketplace.core.errors import AppError
from marketplace.core.money import format_vnd
from marketplace.extensions import (
    LOCALE_COOKIE,
    babel,
    compress,
    csrf,
    limiter,
    login_manager,
    select_locale,
)

PROJECT_DIR = cfg.PROJECT_DIR
log = logging.getLogger(__name__)


def create_app(
    overrides: dict[str, Any] | None = None, instance_path: str | Path | None = None
) -> Flask:
    """Build the app: layered config, extensions, blueprints, error handlers, CLI."""
    instance = Path(instance_path) if instance_path else cfg.instance_path()
    app = Flask(
        __name__,
        instance_path=str(instance),
        instance_relative_config=True,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder="static",
    )
    # ids beyond the INTEGER columns' range are a 404, not an overflow in the driver (a 500)
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(cfg.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(cfg.from_environment())
    app.config.update(overrides or {})
    cfg.finalize(app.config, instance)
    if app.config["PROXY_COUNT"]:
        # behind nginx: the client's address (rate limits) and scheme (HSTS, secure cookies)
        # come from X-Forwarded-*, trusted only for the configured number of hops
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    db.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    compress.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from marketplace.accounts import users_views
    from marketplace.accounts import views as accounts_views
    from marketplace.api import blueprint as api_bp
    from marketplace.catalogue import blueprint as catalogue_bp
    from marketplace.dashboard import blueprint as dashboard_bp
    from marketplace.listings import blueprint as listings_bp
    from marketplace.listings import init_app as listings_init
    from marketplace.onboarding import blueprint as onboarding_bp
    from marketplace.orders import blueprint as orders_bp
    from marketplace.payments import printables_views, webhooks
    from marketplace.payments import views as payments_views
    from marketplace.reports import blueprint as reports_bp

    app.register_blueprint(catalogue_bp.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(users_views.bp)
    app.register_blueprint(dashboard_bp.bp)
    app.register_blueprint(listings_bp.bp)
    app.register_blueprint(onboarding_bp.bp)
    listings_init(app)
    app.register_blueprint(orders_bp.bp)
    app.register_blueprint(payments_views.bp)
    app.register_blueprint(printables_views.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(reports_bp.bp)
    app.register_blueprint(api_bp.bp, url_prefix="/api/v1")
    csrf.exempt(api_bp.bp)

    _register_template_helpers(app)
    _register_error_handlers(app)
    _register_media(app)
    _register_locale_cookie(app)
    _register_security_headers(app)
    _register_upload_redirects(app)
    _register_input_guards(app)
    return app


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` limited to what an INTEGER id column holds (PostgreSQL's int4)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["vnd"] = format_vnd
    app.jinja_env.filters["dmy"] = lambda d: d.strftime("%d/%m/%Y") if d else ""
    app.jinja_env.filters["vn_datetime"] = lambda d: (
        d.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y") if d else ""
    )
    app.jinja_env.globals["bank_name"] = bank_name
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "locale": str(get_locale() or "vi"),
            "today": today(),
            "lang_switch_url": lang_switch_url,
            "cart_count": cart_count,
        }


def bank_name(bin_code: str) -> str:
    """A bank's short name for a BIN (the cached list VietQR parsing uses; no query)."""
    from marketplace.payments.vietqr import banks

    return banks().get(bin_code) or bin_code


def cart_count() -> int:
    """Items in the session cart, for the header."""
    from flask import session

    cart = session.get("cart")
    return sum(v for v in cart.values() if isinstance(v, int)) if isinstance(cart, dict) else 0


def lang_switch_url(lang: str) -> str:
    """The current page in another language (keeps the other query arguments)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + "?" + urlencode([*args, ("lang", lang)])


def wants_json() -> bool:
    """API paths and clients that prefer JSON get JSON errors."""
    if request.path.startswith(("/api/", "/webhooks/")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _error_response(
    status: int,
    code: str,
    message: str,
    param: str | None = None,
    type_: str = "invalid_request_error",
) -> tuple[Response | str, int]:
    if wants_json():
        body = {"error": {"type": type_, "code": code, "message": message, "param": param}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message, param=param), status


HTTP_MESSAGES = {
    400: ("bad_request", _l("Yêu cầu không hợp lệ. Tải lại trang và thử lại.")),
    403: (
        "forbidden",
        _l(
            "Bạn không có quyền làm việc này. Đăng nhập bằng tài khoản có quyền, hoặc nhờ quản trị viên."
        ),
    ),
    404: (
        "resource_missing",
        _l("Không tìm thấy trang bạn cần. Kiểm tra lại địa chỉ, hoặc tìm sản phẩm ở trang chủ."),
    ),
    405: (
        "method_not_allowed",
        _l(
            "Phương thức không được hỗ trợ cho địa chỉ này. Mở trang từ liên kết trên Chợ OCOP "
            "(API: xem /api/v1/openapi.json)."
        ),
    ),
    413: (
        "payload_too_large",
        _l("Dữ liệu gửi lên quá lớn. Gửi ảnh nhỏ hơn (hoặc ít ảnh hơn mỗi lần) rồi thử lại."),
    ),
    429: ("rate_limited", _l("Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.")),
}


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def app_error(exc: AppError) -> Any:
        db.rollback()
        return _error_response(exc.status, exc.code, exc.message, exc.param, exc.type)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        return _error_response(
            400, "csrf_failed", _("Phiên làm việc đã hết hạn. Vui lòng tải lại trang và thử lại.")
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        code, message = HTTP_MESSAGES.get(status, ("http_error", exc.description or ""))
        type_ = "rate_limit_error" if status == 429 else "invalid_request_error"
        return _error_response(status, code, str(message), type_=type_)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.rollback()
        return _error_response(
            500,
            "internal_error",
            _("Đã có lỗi ở máy chủ. Chúng tôi đã ghi nhận; vui lòng thử lại."),
            type_="api_error",
        )


def _register_media(app: Flask) -> None:
    @app.get("/media/<path:path>")
    def media(path: str) -> Response:
        response = send_from_directory(app.config["MEDIA_DIR"], path, max_age=31536000)
        # media paths carry a content hash, so they never change
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)


def _register_input_guards(app: Flask) -> None:
    """Input no text column can hold is a 400, never a driver error (found by the fuzzers)."""

    @app.before_request
    def refuse_nul() -> Any:
        # PostgreSQL text cannot contain NUL; no form, path or query value needs it
        values = [request.path, *request.args.values()]
        if request.mimetype == "application/x-www-form-urlencoded":
            # cache the raw body first: signature checks and idempotency hashes read it later
            request.get_data(cache=True)
            values += request.form.values()
        if any("\x00" in v for v in values):
            return _error_response(
                400,
                "invalid_characters",
                _("Dữ liệu có ký tự không hợp lệ. Tải lại trang và thử lại."),
            )
        return None

    @app.errorhandler(DataError)
    def data_error(exc: DataError) -> Any:
        # the database refused a value (out of range, NUL in JSON text): bad input, not a bug
        log.warning("database refused input on %s %s: %s", request.method, request.path, exc.orig)
        db.rollback()
        return _error_response(
            400,
            "invalid_value",
            _("Dữ liệu có giá trị không hợp lệ. Kiểm tra lại các ô đã nhập rồi thử lại."),
        )


UPLOAD_XHR = "photo-upload"  # X-Requested-With of photo-resize.js's posts


def _register_upload_redirects(app: Flask) -> None:
    @app.after_request
    def redirect_by_header(response: Response) -> Response:
        """photo-resize.js posts photos with XHR to show progress; XHR follows a redirect by
        itself and would download the next page only for the browser to load it again (one
        more round trip on 3G): answer it with the address instead."""
        if response.status_code in (301, 302, 303, 307, 308) and (
            request.headers.get("X-Requested-With") == UPLOAD_XHR
        ):
            location = response.headers.get("Location", "")
            response = app.response_class(status=204, headers={"X-Location": location})
        return response


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def secure(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _register_locale_cookie(app: Flask) -> None:
    @app.after_request
    def remember_locale(response: Response) -> Response:
        lang = request.args.get("lang")
        if lang in ("vi", "en") and request.cookies.get(LOCALE_COOKIE) != lang:
            response.set_cookie(LOCALE_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
        return response
