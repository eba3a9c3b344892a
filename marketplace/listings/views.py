"""Listing pages (/quan-ly/kenh-ban): shops per producer, connecting a shop, a product's
channel matrix, one shop's listings, bulk listing with progress, export packs, and the
category table. Thin: parse, call one service, render or redirect."""

from __future__ import annotations

import io
from typing import Any

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.accounts import scope
from marketplace.accounts.models import Role
from marketplace.accounts.services import audit
from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.core.errors import AppError, ValidationError
from producers.models import Producer, Product
from sync_adapters import registry
from sync_adapters.base import ChannelKind

from . import accounts, connect, exports, services
from .models import ChannelAccount, ChannelListing, ListingEvent, ListingState
from .sandboxes import SENDO_DEMO_KEYS

STATE_LABELS = {
    ListingState.PENDING: _l("Đang chờ đồng bộ"),
    ListingState.LIVE: _l("Đang bán"),
    ListingState.IN_REVIEW: _l("Sàn đang duyệt"),
    ListingState.DELISTED: _l("Đã gỡ"),
    ListingState.RETRYING: _l("Đang thử lại"),
    ListingState.ATTENTION: _l("Cần xử lý"),
    ListingState.EXPORT: _l("Chờ đăng thủ công"),
}


def _producer_id() -> int:
    """The producer the page acts for: a producer's own, or ?producer= for helpers/operators."""
    if current_user.role == Role.PRODUCER:
        if current_user.producer_id is None:
            abort(403)
        return int(current_user.producer_id)
    raw = request.values.get("producer", "")
    if not raw.isdigit():
        abort(404)
    _may_act_for(int(raw))
    return int(raw)


def _may_act_for(producer_id: int) -> None:
    """404 for producers out of the person's scope; 403 when they may only read (staff, GET
    pages excepted)."""
    if not scope.may_see(db.session, current_user, producer_id):
        abort(404)
    if request.method != "GET" and not scope.may_act_for(db.session, current_user, producer_id):
        abort(403)


def _account(account_id: int) -> ChannelAccount:
    account = db.session.get(ChannelAccount, account_id)
    if account is None:
        abort(404)
    _may_act_for(account.producer_id)
    return account


def _listing(listing_id: int) -> ChannelListing:
    listing = db.session.get(ChannelListing, listing_id)
    if listing is None:
        abort(404)
    _may_act_for(listing.account.producer_id)
    return listing


def _audit(
    action: str, object_type: str, object_id: object, producer_id: int, **detail: Any
) -> None:
    """Record who did it, and for which producer (an onboarder acting for a cooperative)."""
    audit(
        db.session,
        actor=current_user.email,
        actor_user_id=current_user.id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail or None,
        on_behalf_of_producer_id=producer_id,
    )


def _enqueue(ids: list[int]) -> None:
    from .tasks import sync_listing

    db.after_commit(lambda: [sync_listing(i) for i in ids])


def _common() -> dict[str, Any]:
    return {"labels": STATE_LABELS, "channel_name": accounts.channel_name}


@login_required
def shops() -> ResponseReturnValue:
    """A producer's shops, with counts per state, and the form to connect another."""
    producers = []
    if current_user.role != Role.PRODUCER and not request.args.get("producer"):
        producers = scope.visible_producers(db.session, current_user)
        return render_template("listings/pick_producer.html", producers=producers)
    producer_id = _producer_id()
    rows = list(
        db.session.scalars(
            select(ChannelAccount)
            .where(ChannelAccount.producer_id == producer_id)
            .order_by(ChannelAccount.channel, ChannelAccount.id)
        )
    )
    summary = services.account_summary(db.session, [a.id for a in rows])
    channels = sorted(registry.channels().items(), key=lambda kv: (kv[1].kind, kv[1].name))
    return render_template(
        "listings/shops.html",
        producer=db.session.get(Producer, producer_id),
        rows=rows,
        summary=summary,
        channels=channels,
        demo=current_app.config["DEMO_MODE"],
        sendo_keys=SENDO_DEMO_KEYS,
        error=None,
        **_common(),
    )


@login_required
def connect_shop() -> ResponseReturnValue:
    """Start connecting a shop: OAuth redirect, shop keys, or an export channel."""
    producer_id = _producer_id()
    vault = vault_for(current_app.config)
    channel = request.form.get("channel", "")
    mode = "sandbox" if current_app.config["DEMO_MODE"] else "live"
    try:
        cls = registry.get(channel)
    except KeyError:
        abort(400)
    try:
        if cls.kind == ChannelKind.EXPORT:
            account = connect.new_account(
                db.session,
                vault,
                producer_id,
                channel,
                mode="export",
                base_url="",
                label=request.form.get("label", ""),
            )
            _audit("channel.connect", "channel_account", account.id, producer_id, channel=channel)
            return redirect(url_for("listings.shop", account_id=account.id), 303)
        base_url, app_key, app_secret = connect.app_credentials(current_app.config, channel, mode)
        if cls.auth_flow == "keys":
            app_key = request.form.get("shop_key", "").strip()
            app_secret = request.form.get("secret_key", "").strip()
            if not app_key or not app_secret:
                raise ValidationError(
                    "Nhập Shop key và Secret key lấy từ trang người bán Sendo.", param="shop_key"
                )
        account = connect.new_account(
            db.session,
            vault,
            producer_id,
            channel,
            mode=mode,
            base_url=base_url,
            app_key=app_key,
            app_secret=app_secret,
        )
        _audit("channel.connect", "channel_account", account.id, producer_id, channel=channel)
        if cls.auth_flow == "keys":
            from .tasks import exchange_code

            account_id = account.id
            db.after_commit(lambda: exchange_code(account_id, {}, ""))
            return redirect(url_for("listings.shop", account_id=account.id), 303)
        target = connect.start_oauth(account, vault, url_for("listings.callback", _external=True))
        # Not a redirect: browsers refuse a form post that redirects to another origin (our
        # CSP says form-action 'self'), so this page of ours sends the seller on.
        return render_template("listings/oauth.html", target=target, channel=channel, **_common())
    except AppError as exc:
        db.rollback()
        return render_template("listings/error.html", error=exc), exc.status


@login_required
def callback() -> ResponseReturnValue:
    """The marketplace sends the seller back here; the code is exchanged in a job."""
    vault = vault_for(current_app.config)
    try:
        account = connect.check_state(db.session, vault, request.args.get("state", ""))
    except AppError as exc:
        return render_template("listings/error.html", error=exc), exc.status
    _may_act_for(account.producer_id)
    params = {k: v for k, v in request.args.items()}
    account_id = account.id
    redirect_uri = url_for("listings.callback", _external=True)
    from .tasks import exchange_code

    db.after_commit(lambda: exchange_code(account_id, params, redirect_uri))
    return redirect(url_for("listings.shop", account_id=account.id), 303)


@login_required
def shop(account_id: int) -> ResponseReturnValue:
    """One shop: its listings with state, link, last error and the fix."""
    if db.session.get(ChannelAccount, account_id) is None:
        # A reconnection merges the pending row into the shop it already knew: go to the list.
        return redirect(url_for("listings.shops"), 303)
    account = _account(account_id)
    listings = list(
        db.session.scalars(
            select(ChannelListing)
            .where(ChannelListing.account_id == account.id)
            .order_by(ChannelListing.id)
        )
    )
    names = dict(
        db.session.execute(
            select(Product.id, Product.name).where(
                Product.id.in_([row.product_id for row in listings] or [0])
            )
        ).all()
    )
    return render_template(
        "listings/shop.html",
        account=account,
        listings=listings,
        names=names,
        export=accounts.is_export(account.channel),
        **_common(),
    )


@login_required
def product(product_id: int) -> ResponseReturnValue:
    """A product's channel matrix."""
    item = db.session.get(Product, product_id)
    if item is None:
        abort(404)
    _may_act_for(item.producer_id)
    cells = services.matrix(db.session, item)
    events = {}
    for cell in cells:
        if cell.listing is not None:
            events[cell.listing.id] = list(
                db.session.scalars(
                    select(ListingEvent)
                    .where(ListingEvent.listing_id == cell.listing.id)
                    .order_by(ListingEvent.id.desc())
                    .limit(3)
                )
            )
    return render_template(
        "listings/product.html", product=item, cells=cells, events=events, **_common()
    )


@login_required
def bulk() -> ResponseReturnValue:
    """Choose products and shops; list them all, then watch the progress."""
    producer_id = _producer_id()
    products = list(
        db.session.scalars(
            select(Product).where(Product.producer_id == producer_id).order_by(Product.name)
        )
    )
    shops_ = list(
        db.session.scalars(
            select(ChannelAccount)
            .where(ChannelAccount.producer_id == producer_id)
            .order_by(ChannelAccount.channel)
        )
    )
    error = None
    if request.method == "POST":
        try:
            ids = services.request_listings(
                db.session,
                [int(x) for x in request.form.getlist("product") if x.isdigit()],
                [int(x) for x in request.form.getlist("account") if x.isdigit()],
            )
            _audit("listing.request", "producer", producer_id, producer_id, listings=ids)
            _enqueue(ids)
            return redirect(url_for("listings.progress", ids=",".join(map(str, ids))), 303)
        except AppError as exc:
            db.rollback()
            error = exc
    return render_template(
        "listings/bulk.html",
        producer=db.session.get(Producer, producer_id),
        products=products,
        shops=shops_,
        error=error,
        **_common(),
    ), (error.status if error else 200)


def _ids() -> list[int]:
    raw = request.args.get("ids", "")
    ids = [int(x) for x in raw.split(",") if x.isdigit()][:2000]
    return ids


@login_required
def progress() -> ResponseReturnValue:
    """The bulk listing's progress (refreshes itself; no JavaScript needed)."""
    ids = _ids()
    rows = list(db.session.scalars(select(ChannelListing).where(ChannelListing.id.in_(ids or [0]))))
    for row in rows:
        _may_act_for(row.account.producer_id)
    counts = services.progress(db.session, ids)
    done = sum(
        counts.get(s, 0)
        for s in (
            ListingState.LIVE,
            ListingState.IN_REVIEW,
            ListingState.DELISTED,
            ListingState.ATTENTION,
            ListingState.EXPORT,
        )
    )
    if request.args.get("format") == "json":
        return {"total": len(rows), "done": done, "states": counts}
    return render_template(
        "listings/progress.html",
        rows=rows,
        counts=counts,
        done=done,
        total=len(rows),
        ids=request.args.get("ids", ""),
        **_common(),
    )


@login_required
def listing_action(listing_id: int, action: str) -> ResponseReturnValue:
    """Withdraw, retry, or record an export-pack listing's URL."""
    listing = _listing(listing_id)
    try:
        if action == "go":
            services.withdraw(db.session, listing.id)
        elif action == "thu-lai":
            services.retry(db.session, listing.id)
        elif action == "da-dang":
            services.mark_exported(db.session, listing.id, request.form.get("url", ""), utcnow())
        elif action == "dang":
            services.request_listings(db.session, [listing.product_id], [listing.account_id])
        else:
            abort(404)
    except AppError as exc:
        db.rollback()
        return render_template("listings/error.html", error=exc), exc.status
    _audit(f"listing.{action}", "channel_listing", listing.id, listing.account.producer_id)
    _enqueue([listing.id])
    back = request.form.get("next") or url_for("listings.product", product_id=listing.product_id)
    if not back.startswith("/"):
        back = url_for("listings.product", product_id=listing.product_id)
    return redirect(back, 303)


@login_required
def list_product(product_id: int) -> ResponseReturnValue:
    """From a product's matrix: list it on the ticked shops."""
    item = db.session.get(Product, product_id)
    if item is None:
        abort(404)
    _may_act_for(item.producer_id)
    try:
        ids = services.request_listings(
            db.session, [item.id], [int(x) for x in request.form.getlist("account") if x.isdigit()]
        )
    except AppError as exc:
        db.rollback()
        return render_template("listings/error.html", error=exc), exc.status
    _audit("listing.request", "product", item.id, item.producer_id, listings=ids)
    _enqueue(ids)
    return redirect(url_for("listings.product", product_id=item.id), 303)


@login_required
def export_pack(account_id: int) -> ResponseReturnValue:
    """The ZIP a person uploads to Postmart / Vỏ Sò for this shop's wanted listings."""
    account = _account(account_id)
    if not accounts.is_export(account.channel):
        abort(404)
    buffer = io.BytesIO()
    try:
        count = exports.write_pack(
            db.session,
            account,
            buffer,
            current_app.config,
            url_for("catalogue.home", _external=True),
        )
    except AppError as exc:
        return render_template("listings/error.html", error=exc), exc.status
    buffer.seek(0)
    name = f"{account.channel}-{account.id}-{utcnow():%Y%m%d}-{count}sp.zip"
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=name)
