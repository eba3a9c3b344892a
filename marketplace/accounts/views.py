"""Public account pages: login (email or phone), logout, accepting an invitation, and
resetting a forgotten password."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from marketplace.core.db import db, utcnow
from marketplace.core.errors import AppError
from marketplace.core.text import clean_line
from marketplace.extensions import limiter

from . import invitations, resets
from .services import AuthError, audit, authenticate

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("dashboard.home")


def _login_name() -> str:
    return clean_line(request.form.get("login") or request.form.get("email") or "", 200)


def _per_login_key() -> str:
    """Rate-limit key for one login name, whatever address the attempts come from."""
    return "login:" + _login_name().lower()


def _private(body: str, status: int = 200) -> Response:
    """Pages that carry a secret in their URL: never cached, never indexed."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_per_login_key)
def login() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("accounts/login.html", error=None, login="")
    name = _login_name()
    try:
        user = authenticate(db.session, name, request.form.get("password", ""), utcnow())
    except AuthError as exc:
        db.rollback()
        return render_template("accounts/login.html", error=exc.message, login=name), 401
    login_user(user)
    audit(
        db.session,
        actor=user.email,
        actor_user_id=user.id,
        action="user.login",
        object_type="user",
        object_id=user.id,
    )
    return redirect(_safe_next(request.args.get("next")), 303)


@bp.post("/dang-xuat")
def logout() -> ResponseReturnValue:
    logout_user()
    return redirect(url_for("catalogue.home"), 303)


@bp.route("/moi/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    """Create one's own login from an invitation link."""
    now = utcnow()
    try:
        invitation = invitations.find_invitation(db.session, token, now)
    except AppError as exc:
        return _private(render_template("accounts/invitation_gone.html", error=exc), exc.status)
    form = {k: clean_line(request.form.get(k, ""), 200) for k in ("name", "email", "phone")}
    error = None
    if request.method == "POST":
        try:
            user = invitations.accept_invitation(
                db.session, token, password=_new_password(), now=now, **form
            )
        except AppError as exc:
            db.rollback()
            error = exc
        else:
            logout_user()
            login_user(user)
            return redirect(url_for("dashboard.home"), 303)
    page = render_template(
        "accounts/invitation.html",
        invitation=invitation,
        producer=invitations.producer_of(db.session, invitation),
        form=form,
        error=error,
    )
    return _private(page, error.status if error else 200)


def _new_password() -> str:
    """The new password typed twice in the form; refused when the two differ."""
    password = request.form.get("password", "")
    if password != request.form.get("password2", ""):
        raise AppError(
            "Hai lần nhập mật khẩu không khớp. Nhập cùng một mật khẩu vào cả hai ô.",
            param="password2",
        )
    return password


@bp.route("/quen-mat-khau", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link; the answer is the same whether the login exists or not."""
    if request.method == "GET":
        return render_template("accounts/forgot.html", sent=False, login="")
    config = current_app.config
    user = resets.request_reset(
        db.session, _login_name(), utcnow(), mail=bool(config.get("SMTP_URL"))
    )
    if user is not None:
        from .tasks import mail_password_reset

        base_url = config.get("PUBLIC_BASE_URL") or request.url_root
        user_id = user.id
        db.after_commit(lambda: mail_password_reset(user_id, base_url))
    return render_template("accounts/forgot.html", sent=True, login="")


@bp.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password from a one-time link."""
    now = utcnow()
    try:
        reset = resets.find_reset(db.session, token, now)
    except AppError as exc:
        return _private(render_template("accounts/reset_gone.html", error=exc), exc.status)
    error = None
    if request.method == "POST":
        try:
            resets.complete_reset(db.session, token, _new_password(), now)
        except AppError as exc:
            db.rollback()
            error = exc
        else:
            if current_user.is_authenticated:
                logout_user()
            return redirect(url_for("accounts.login", reset="1"), 303)
    page = render_template("accounts/reset.html", reset=reset, error=error)
    return _private(page, error.status if error else 200)
