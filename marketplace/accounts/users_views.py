"""People pages (/quan-ly/nguoi-dung): the list of logins, creating a login, invitations with
their link and QR code, reset links made by an admin, switching a login off, the audit log."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from marketplace.core.db import db, utcnow
from marketplace.core.errors import AppError
from marketplace.payments.qr_render import render_png, render_svg
from producers.models import Province

from . import invitations, people, resets, scope
from .guards import admin_only, requires
from .models import Role, User

bp = Blueprint("users", __name__, url_prefix="/quan-ly/nguoi-dung")


#: who may manage people: admins, onboarders (their producers' people), producer owners
managers_only = requires(people.may_manage)


def _link(endpoint: str, token: str) -> str:
    """An absolute link on PUBLIC_BASE_URL when set (never on a spoofable Host otherwise)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, token=token)
    return url_for(endpoint, token=token, _external=True)


def _qr(link: str) -> dict[str, str]:
    """The link's QR code as data: URIs (CSP allows data: images; no inline markup needed)."""
    svg = render_svg(link, box_size=6).encode()
    png = render_png(link, box_size=8)
    return {
        "svg": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
        "png": "data:image/png;base64," + base64.b64encode(png).decode(),
    }


def _scopes_from_form() -> list[dict[str, str]]:
    commune = request.form.get("scope_commune", "").strip()
    province = request.form.get("scope_province", "").strip()
    if commune:
        return [{"commune_code": commune}]
    return [{"province_code": province}] if province else []


def _int_or_none(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _page(status: int = 200, **context: Any) -> ResponseReturnValue:
    session, now = db.session, utcnow()
    users = people.visible_users(session, current_user)
    context.setdefault("error", None)
    context.setdefault("form", {})
    context.setdefault("shown", None)
    is_admin = current_user.role == Role.ADMIN
    page = render_template(
        "accounts/users.html",
        users=users,
        scopes=people.scopes_by_user(session, [u.id for u in users]),
        open_invitations=invitations.open_invitations(session, current_user, now),
        pending=resets.pending_requests(session, now) if is_admin else [],
        producers=scope.visible_producers(session, current_user),
        provinces=list(session.scalars(select(Province).order_by(Province.code))),
        is_admin=is_admin,
        **context,
    )
    return page, status


@managers_only
def index() -> ResponseReturnValue:
    return _page()


@admin_only
def create() -> ResponseReturnValue:
    form = {
        k: request.form.get(k, "")
        for k in ("email", "phone", "name", "role", "producer_id", "producer_role")
    }
    try:
        user = people.create_login(
            db.session,
            current_user,
            scopes=_scopes_from_form(),
            email=form["email"],
            phone=form["phone"],
            name=form["name"],
            password=request.form.get("password", ""),
            role=form["role"],
            producer_id=_int_or_none(form["producer_id"]),
            producer_role=form["producer_role"] or None,
        )
    except AppError as exc:
        db.rollback()
        return _page(exc.status, error=exc, form=form)
    return redirect(url_for("users.index", created=user.id), 303)


@managers_only
def invite() -> ResponseReturnValue:
    form = {k: request.form.get(k, "") for k in ("role", "producer_id", "producer_role", "note")}
    if current_user.role == Role.PRODUCER:  # owners invite members of their own producer
        form.update(role="producer", producer_role="member")
        form["producer_id"] = str(current_user.producer_id)
    req = invitations.InvitationRequest(
        role=form["role"],
        producer_id=_int_or_none(form["producer_id"]),
        producer_role=form["producer_role"] or None,
        scopes=tuple(next(iter(s.items())) for s in _scopes_from_form()),
        note=form["note"],
    )
    ttl = timedelta(days=current_app.config["INVITATION_TTL_DAYS"])
    try:
        invitation, secret = invitations.create_invitation(
            db.session, current_user, req, utcnow(), ttl
        )
    except AppError as exc:
        db.rollback()
        return _page(exc.status, error=exc, form=form, invite_error=True)
    link = _link("accounts.accept_invitation", secret)
    shown = {
        "kind": "invitation",
        "link": link,
        "qr": _qr(link),
        "expires_at": invitation.expires_at,
    }
    return _page(shown=shown)


@managers_only
def revoke_invitation(invitation_id: int) -> ResponseReturnValue:
    invitations.revoke_invitation(db.session, current_user, invitation_id, utcnow())
    return redirect(url_for("users.index"), 303)


@admin_only
def reset_link(user_id: int) -> ResponseReturnValue:
    """An admin makes a reset link to pass on (phone, Zalo): shown once, with its QR."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    reset, secret = resets.create_reset(db.session, user, utcnow(), created_by=current_user)
    link = _link("accounts.reset_password", secret)
    shown = {"kind": "reset", "link": link, "qr": _qr(link), "expires_at": reset.expires_at}
    return _page(shown=shown, shown_user=user)


@managers_only
def set_active(user_id: int) -> ResponseReturnValue:
    try:
        people.set_active(db.session, current_user, user_id, request.form.get("active", "") == "1")
    except AppError as exc:
        db.rollback()
        return _page(exc.status, error=exc)
    return redirect(url_for("users.index"), 303)


@admin_only
def audit_log() -> ResponseReturnValue:
    producer_id = _int_or_none(request.args.get("producer"))
    rows = people.audit_rows(db.session, producer_id)
    return render_template("accounts/audit.html", rows=rows, producer_id=producer_id)


bp.add_url_rule("", view_func=index)
bp.add_url_rule("/tao", view_func=create, methods=["POST"])
bp.add_url_rule("/loi-moi", view_func=invite, methods=["POST"])
bp.add_url_rule("/loi-moi/<int:invitation_id>/huy", view_func=revoke_invitation, methods=["POST"])
bp.add_url_rule("/<int:user_id>/dat-lai-mat-khau", view_func=reset_link, methods=["POST"])
bp.add_url_rule("/<int:user_id>/trang-thai", view_func=set_active, methods=["POST"])
bp.add_url_rule("/nhat-ky", view_func=audit_log)
