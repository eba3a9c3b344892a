"""Login and logout pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user

from marketplace.core.db import db, utcnow
from marketplace.extensions import limiter

from .services import AuthError, audit, authenticate

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.home")


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("accounts/login.html", error=None, email="")
    email = request.form.get("email", "")
    try:
        user = authenticate(db.session, email, request.form.get("password", ""), utcnow())
    except AuthError as exc:
        db.rollback()
        return render_template("accounts/login.html", error=exc.message, email=email), 401
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
