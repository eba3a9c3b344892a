"""``ocop sync …``, ``ocop channel …`` and ``ocop sandboxes``: the listing engine for operators."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.core.errors import AppError

from . import accounts, connect
from .models import ChannelAccount, ChannelListing


@click.group("sync")
def sync_group() -> None:
    """Marketplace listings: what is where, and syncing now."""


@sync_group.command("status")
@with_appcontext
def sync_status() -> None:
    """Listings per channel and state, and the accounts that need a person."""
    with db.transaction() as session:
        rows = session.execute(
            select(ChannelAccount.channel, ChannelListing.state, func.count())
            .join(ChannelAccount, ChannelAccount.id == ChannelListing.account_id)
            .group_by(ChannelAccount.channel, ChannelListing.state)
            .order_by(ChannelAccount.channel, ChannelListing.state)
        ).all()
        broken = session.scalars(
            select(ChannelAccount).where(ChannelAccount.status != "connected")
        ).all()
        if not rows:
            click.echo("No listings yet.")
        for channel, state, count in rows:
            click.echo(f"{accounts.channel_name(channel):<12} {state:<10} {count}")
        for account in broken:
            click.echo(
                f"account {account.id} ({account.channel}) is {account.status}: {account.last_error}"
            )


@sync_group.command("run")
@click.option("--channel", default=None, help="only this channel code (shopee, tiki…)")
@with_appcontext
def sync_run(channel: str | None) -> None:
    """Sync every due listing now, in this process, until none is due."""
    from .sync import due_ids
    from .tasks import syncer

    worker = syncer()
    outcomes: dict[str, int] = {}
    seen: set[int] = set()
    while True:
        with db.transaction() as session:
            ids = [i for i in due_ids(session, utcnow(), channel) if i not in seen]
        if not ids:
            break
        for listing_id in ids:
            seen.add(listing_id)
            state = worker.sync(listing_id)
            outcomes[state] = outcomes.get(state, 0) + 1
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())) or "Nothing to sync.")


@click.group("channel")
def channel_group() -> None:
    """Shops on marketplaces."""


@channel_group.command("add")
@click.option("--producer", "producer_id", required=True, type=int)
@click.option(
    "--channel", required=True, help="shopee, lazada, tiki, tiktok, sendo, postmart, voso"
)
@click.option("--base-url", default="", help="API base URL (sandbox, live, or compatible)")
@click.option("--shop-id", default="")
@click.option("--app-key", default="")
@click.option("--app-secret", default="")
@click.option("--access-token", default="")
@click.option("--refresh-token", default=None)
@click.option("--expires-at", default=None, help="ISO time the access token expires (UTC)")
@with_appcontext
def channel_add(
    producer_id: int,
    channel: str,
    base_url: str,
    shop_id: str,
    app_key: str,
    app_secret: str,
    access_token: str,
    refresh_token: str | None,
    expires_at: str | None,
) -> None:
    """Connect a shop with explicit credentials (secrets are stored encrypted)."""
    vault = vault_for(current_app.config)
    try:
        with db.transaction() as session:
            if accounts.is_export(channel):
                account = connect.new_account(
                    session, vault, producer_id, channel, mode="export", base_url=""
                )
            else:
                if not (base_url and access_token):
                    raise click.ClickException("--base-url and --access-token are required")
                expiry = datetime.fromisoformat(expires_at) if expires_at else None
                if expiry is not None and expiry.tzinfo is None:
                    expiry = expiry.replace(tzinfo=UTC)
                account = connect.add_with_tokens(
                    session,
                    vault,
                    producer_id,
                    channel,
                    base_url=base_url,
                    shop_id=shop_id,
                    app_key=app_key,
                    app_secret=app_secret,
                    access_token=access_token,
                    refresh_token=refresh_token,
                    expires_at=expiry,
                )
    except (AppError, KeyError) as exc:
        raise click.ClickException(getattr(exc, "message", f"unknown channel {channel}")) from None
    click.echo(f"account {account.id} ({channel}) connected")


@click.command("sandboxes")
@with_appcontext
def sandboxes_cmd() -> None:
    """Run the sandbox marketplaces on loopback ports (demo mode starts this for you)."""
    from .sandboxes import port_of, run_all

    config = current_app.config
    state = Path(current_app.instance_path) / "sandboxes"
    from sync_adapters.sandbox import SANDBOXES

    for code in SANDBOXES:
        click.echo(f"sandbox {code}: http://127.0.0.1:{port_of(config, code)}")
    run_all(config, state)
