"""The signed-in area: a producer's payments, review, manual transfers, API keys, bank
notification connections and fees; operators' review queue and fee charging."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.accounts import scope
from marketplace.accounts import services as accounts
from marketplace.accounts.guards import admin_only, producer_only
from marketplace.accounts.models import ApiKey, Role
from marketplace.catalogue.services import producer_products
from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.core.errors import AppError, ValidationError
from marketplace.payments import connections, fees, intents, manual, review
from marketplace.payments.models import NotificationConnection, PaymentIntent
from marketplace.payments.models_extra import Fee
from producers.models import Producer


def _actor() -> dict[str, Any]:
    return {"actor": current_user.email, "actor_user_id": current_user.id}


def _scope() -> int | frozenset[int] | None:
    """Whose money a person sees: None = everything (admin); staff their area's producers
    (accounts/scope.py); a producer login its own producer."""
    if current_user.role == Role.ADMIN:
        return None
    if current_user.role == Role.STAFF:
        return frozenset(p.id for p in scope.visible_producers(db.session, current_user))
    return current_user.producer_id


@login_required
def home() -> ResponseReturnValue:
    session = db.session
    producer = session.get(Producer, current_user.producer_id) if current_user.producer_id else None
    recent = []
    if producer is not None:
        recent = list(
            session.scalars(
                select(PaymentIntent)
                .where(PaymentIntent.producer_id == producer.id)
                .order_by(PaymentIntent.id.desc())
                .limit(20)
            )
        )
    open_items = review.visible_items(session, _scope())
    products = producer_products(session, producer) if producer is not None else []
    return render_template(
        "dashboard/home.html",
        producer=producer,
        recent=recent,
        open_items=open_items,
        products=products,
    )


@login_required
def review_list() -> ResponseReturnValue:
    if current_user.role == Role.ONBOARDER:
        abort(403)
    items = review.visible_items(
        db.session, _scope(), include_closed=request.args.get("all") == "1"
    )
    return render_template("dashboard/review.html", items=items, error=None)


@login_required
def review_action(item_id: int) -> ResponseReturnValue:
    if current_user.role == Role.ONBOARDER:
        abort(403)
    action = request.form.get("action", "")
    now = utcnow()
    try:
        if action == "assign":
            review.assign(
                db.session,
                item_id,
                request.form.get("reference_code", ""),
                producer_id=_scope(),
                now=now,
                **_actor(),
            )
        else:
            review.close(
                db.session,
                item_id,
                action,
                request.form.get("note", ""),
                producer_id=_scope(),
                now=now,
                **_actor(),
            )
    except AppError as exc:
        db.rollback()
        items = review.visible_items(db.session, _scope())
        return render_template(
            "dashboard/review.html", items=items, error=exc, error_item=item_id
        ), exc.status
    return redirect(url_for("dashboard.review_list"), 303)


@producer_only
def manual_transfer() -> ResponseReturnValue:
    producer = db.session.get(Producer, current_user.producer_id)
    if request.method == "GET":
        return render_template(
            "dashboard/manual.html",
            form={},
            error=None,
            producer=producer,
            done=request.args.get("ok"),
        )
    form = request.form.to_dict()
    if not producer or not producer.bank_account:
        raise ValidationError(
            "Chủ thể chưa khai báo tài khoản ngân hàng. " + intents.BANK_STEP, param="bank_account"
        )
    try:
        new_id = manual.record(
            db.session,
            account=producer.bank_account,
            bank_reference=form.get("bank_reference", ""),
            amount=form.get("amount", ""),
            occurred_at=form.get("occurred_at", ""),
            memo=form.get("memo", ""),
            now=utcnow(),
        )
    except AppError as exc:
        db.rollback()
        return render_template(
            "dashboard/manual.html", form=form, error=exc, producer=producer, done=None
        ), 400
    accounts.audit(
        db.session,
        action="transfer.record_manual",
        object_type="bank_transaction",
        object_id=new_id or "duplicate",
        **_actor(),
    )
    if new_id is not None:
        from marketplace.payments.tasks import match_transactions

        db.after_commit(lambda: match_transactions([new_id]))
    return redirect(url_for("dashboard.manual_transfer", ok="1" if new_id else "dup"), 303)


@producer_only
def api_keys() -> ResponseReturnValue:
    secret = None
    if request.method == "POST":
        key, secret = accounts.create_api_key(
            db.session, current_user.producer_id, request.form.get("name", "")
        )
        accounts.audit(
            db.session, action="api_key.create", object_type="api_key", object_id=key.id, **_actor()
        )
    keys = list(
        db.session.scalars(
            select(ApiKey)
            .where(ApiKey.producer_id == current_user.producer_id)
            .order_by(ApiKey.id.desc())
        )
    )
    return render_template("dashboard/api_keys.html", keys=keys, secret=secret)


@producer_only
def revoke_api_key(key_id: int) -> ResponseReturnValue:
    key = accounts.revoke_api_key(db.session, key_id, current_user.producer_id, utcnow())
    accounts.audit(
        db.session, action="api_key.revoke", object_type="api_key", object_id=key.id, **_actor()
    )
    return redirect(url_for("dashboard.api_keys"), 303)


def payee_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Pages of whoever receives money: a producer (its sales) or an admin (the fees)."""

    @functools.wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        is_producer = current_user.role == Role.PRODUCER and current_user.producer_id
        if not (is_producer or current_user.role == Role.ADMIN):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@payee_only
def bank_connections() -> ResponseReturnValue:
    """A producer connects its sales account; an admin the operator's fee account."""
    owner = current_user.producer_id if current_user.role == Role.PRODUCER else None
    producer = db.session.get(Producer, owner) if owner else None
    account = producer.bank_account if producer else current_app.config.get("PLATFORM_BANK_ACCOUNT")
    error = None
    if request.method == "POST":
        try:
            conn = connections.connect(
                db.session,
                vault_for(current_app.config),
                provider=request.form.get("provider", ""),
                secrets=[request.form.get("secret", ""), request.form.get("secret_next", "")],
                accounts=[account] if account else [],
                producer_id=owner,
                api_credentials={
                    "token": request.form.get("api_key", ""),
                    "api_key": request.form.get("api_key", ""),
                    "client_id": request.form.get("api_client_id", ""),
                },
                api_base_url=request.form.get("api_base_url"),
            )
            accounts.audit(
                db.session,
                action="connection.create",
                object_type="notification_connection",
                object_id=conn.id,
                **_actor(),
            )
        except AppError as exc:
            db.rollback()
            error = exc
    owned = (
        NotificationConnection.producer_id == owner
        if owner
        else NotificationConnection.producer_id.is_(None)
    )
    rows = list(
        db.session.scalars(
            select(NotificationConnection).where(owned).order_by(NotificationConnection.id)
        )
    )
    return render_template(
        "dashboard/connections.html", rows=rows, account=account, error=error
    ), 400 if error else 200


def _platform_payee() -> intents.Payee:
    cfg = current_app.config
    if not (
        cfg.get("PLATFORM_BANK_BIN")
        and cfg.get("PLATFORM_BANK_ACCOUNT")
        and cfg.get("PLATFORM_BANK_NAME")
    ):
        raise ValidationError(
            "Đơn vị vận hành chưa cài đặt tài khoản nhận phí. Quản trị viên cần đặt "
            "PLATFORM_BANK_BIN, PLATFORM_BANK_ACCOUNT, PLATFORM_BANK_NAME.",
            param="payee",
        )
    return intents.Payee(
        cfg["PLATFORM_BANK_BIN"], cfg["PLATFORM_BANK_ACCOUNT"], cfg["PLATFORM_BANK_NAME"]
    )


@producer_only
def my_fees() -> ResponseReturnValue:
    rows = fees.fees_of(db.session, current_user.producer_id)
    payments = {f.id: db.session.get(PaymentIntent, f.intent_id) for f in rows if f.intent_id}
    return render_template("dashboard/fees.html", rows=rows, payments=payments)


@producer_only
def pay_fee(fee_id: int) -> ResponseReturnValue:
    ttl = timedelta(hours=current_app.config["PAYMENT_INTENT_TTL_HOURS"])
    fees.intent_for_fee(
        db.session, fee_id, current_user.producer_id, _platform_payee(), utcnow(), ttl
    )
    return redirect(url_for("dashboard.my_fees") + f"#fee-{fee_id}", 303)


@admin_only
def charge_fees() -> ResponseReturnValue:
    producers = list(db.session.scalars(select(Producer).order_by(Producer.name)))
    recent = list(db.session.scalars(select(Fee).order_by(Fee.id.desc()).limit(50)))
    if request.method == "GET":
        return render_template(
            "dashboard/charge_fees.html", producers=producers, recent=recent, form={}, error=None
        )
    form = request.form.to_dict()
    target = form.get("producer_id", "all")
    try:
        due = date.fromisoformat(form["due_date"]) if form.get("due_date") else None
    except ValueError:
        due = None
    try:
        created = fees.create_fees(
            db.session,
            producer_ids=None if target == "all" else [int(target) if target.isdigit() else -1],
            kind=form.get("kind", ""),
            description=form.get("description", ""),
            amount=form.get("amount", ""),
            due_date=due,
            created_by=current_user.id,
        )
    except AppError as exc:
        db.rollback()
        return render_template(
            "dashboard/charge_fees.html", producers=producers, recent=recent, form=form, error=exc
        ), 400
    accounts.audit(
        db.session,
        action="fee.create",
        object_type="fee",
        object_id=",".join(str(f.id) for f in created)[:40],
        detail={"count": len(created)},
        **_actor(),
    )
    return redirect(url_for("dashboard.charge_fees"), 303)
