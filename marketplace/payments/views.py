"""Buyer-facing payment endpoints: the QR image, live status, "I have paid", demo transfer."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue

from marketplace.core.db import db, utcnow

from . import intents, qr_render, recheck

bp = Blueprint("payments", __name__)


def _back(intent_public_id: str) -> ResponseReturnValue:
    target = request.form.get("next") or request.referrer or url_for("catalogue.home")
    if not target.startswith("/") and not target.startswith(request.host_url):
        target = url_for("catalogue.home")
    return redirect(target + f"#pi-{intent_public_id}", 303)


@bp.get("/qr/<public_id>.<fmt>")
def qr_image(public_id: str, fmt: str) -> ResponseReturnValue:
    """The VietQR of an intent as PNG or SVG (cached by payload)."""
    if fmt not in ("png", "svg"):
        abort(404)
    intent = intents.by_public_id(db.session, public_id)
    if fmt == "png":
        response = Response(qr_render.render_png(intent.qr_payload), mimetype="image/png")
    else:
        response = Response(qr_render.render_svg(intent.qr_payload), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"
    return response


@bp.get("/thanh-toan/<public_id>/trang-thai")
def status(public_id: str) -> ResponseReturnValue:
    """Live status for the payment page's polling script."""
    intent = intents.by_public_id(db.session, public_id)
    response = {
        "id": intent.public_id,
        "status": intent.status,
        "amount": intent.amount_vnd,
        "amount_received": intent.amount_received_vnd,
        "amount_due": intent.amount_due_vnd,
    }
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/thanh-toan/<public_id>/da-chuyen")
def claim_paid(public_id: str) -> ResponseReturnValue:
    """The buyer says they have paid: ask for an immediate re-check."""
    intent = intents.by_public_id(db.session, public_id)
    if recheck.claim(db.session, intent, utcnow()):
        from marketplace.payments.tasks import recheck_intent

        db.after_commit(lambda: recheck_intent(public_id))
    return _back(public_id)


@bp.post("/thanh-toan/<public_id>/gia-lap")
def simulate(public_id: str) -> ResponseReturnValue:
    """Demo mode only: the sandbox bank sends a transfer for this intent."""
    if not current_app.config["DEMO_MODE"]:
        abort(404)
    intent = intents.by_public_id(db.session, public_id)
    amount_raw = request.form.get("amount", "").strip()
    amount = int(amount_raw) if amount_raw.isdigit() and int(amount_raw) > 0 else None
    base_url = request.host_url
    from marketplace.payments.tasks import simulate_transfer

    db.after_commit(lambda: simulate_transfer(intent.public_id, base_url, amount))
    return _back(public_id)
