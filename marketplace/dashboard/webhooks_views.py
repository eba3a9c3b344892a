"""A producer's outbound webhooks: endpoints (created, disabled), delivery log, replay."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from marketplace.accounts import services as accounts
from marketplace.accounts.guards import producer_only
from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.core.errors import AppError
from marketplace.payments import outbound

from .blueprint import bp


def _actor() -> dict[str, Any]:
    return {"actor": current_user.email, "actor_user_id": current_user.id}


def _page(**context: Any) -> str:
    context.setdefault("endpoint", None)
    context.setdefault("secret", None)
    context.setdefault("error", None)
    context.setdefault("form", {})
    return render_template(
        "dashboard/webhooks.html",
        endpoints=outbound.endpoints_of(db.session, current_user.producer_id),
        event_types=outbound.EVENT_TYPES,
        **context,
    )


@bp.route("/webhook", methods=["GET", "POST"])
@producer_only
def webhooks() -> ResponseReturnValue:
    if request.method == "GET":
        return _page()
    form = {"url": request.form.get("url", ""), "events": request.form.getlist("events")}
    try:
        endpoint, secret = outbound.create_endpoint(
            db.session,
            vault_for(current_app.config),
            current_user.producer_id,
            form["url"],
            form["events"],
        )
    except AppError as exc:
        db.rollback()
        return _page(error=exc, form=form), exc.status
    accounts.audit(
        db.session,
        action="webhook_endpoint.create",
        object_type="webhook_endpoint",
        object_id=endpoint.public_id,
        detail={"url": endpoint.url, "events": endpoint.events},
        **_actor(),
    )
    return _page(secret=secret, created=endpoint)


@bp.route("/webhook/<int:endpoint_id>/tat", methods=["POST"])
@producer_only
def disable_webhook(endpoint_id: int) -> ResponseReturnValue:
    endpoint = outbound.disable_endpoint(db.session, endpoint_id, current_user.producer_id)
    accounts.audit(
        db.session,
        action="webhook_endpoint.disable",
        object_type="webhook_endpoint",
        object_id=endpoint.public_id,
        **_actor(),
    )
    return redirect(url_for("dashboard.webhooks"), 303)


@bp.route("/webhook/<int:endpoint_id>")
@producer_only
def webhook_deliveries(endpoint_id: int) -> ResponseReturnValue:
    endpoint = outbound.endpoint_of(db.session, endpoint_id, current_user.producer_id)
    return _page(endpoint=endpoint, deliveries=outbound.deliveries_of(db.session, endpoint))


@bp.route("/webhook/<int:endpoint_id>/gui-lai/<int:delivery_id>", methods=["POST"])
@producer_only
def replay_webhook(endpoint_id: int, delivery_id: int) -> ResponseReturnValue:
    delivery = outbound.replay(
        db.session, endpoint_id, delivery_id, current_user.producer_id, utcnow()
    )
    accounts.audit(
        db.session,
        action="webhook_delivery.replay",
        object_type="webhook_delivery",
        object_id=delivery.id,
        detail={"message_id": delivery.message_id, "event_type": delivery.event_type},
        **_actor(),
    )
    return redirect(url_for("dashboard.webhook_deliveries", endpoint_id=endpoint_id) + "?ok=1", 303)
