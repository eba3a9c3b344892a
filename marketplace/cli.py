"""The ``ocop`` command: database, demo data, serving, and operator chores."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from marketplace import migrate
from marketplace.app import create_app
from marketplace.core.clock import today
from marketplace.core.db import db
from marketplace.core.errors import AppError
from marketplace.core.storage import MediaStorage


def _app(*_args: object) -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """Chợ OCOP: catalogue, marketplace sync and VietQR payments for OCOP producers."""


def image_config() -> dict[str, object]:
    """Image limits from the app config, as ``add_image`` keyword arguments."""
    cfg = current_app.config
    return {
        "max_bytes": cfg["IMAGE_MAX_BYTES"],
        "max_pixels": cfg["IMAGE_MAX_PIXELS"],
        "thumb_sizes": tuple(cfg["IMAGE_THUMB_SIZES"]),
    }


def upgrade_database() -> dict[str, int]:
    """Migrate to head, then load changed reference data; returns rows loaded per dataset."""
    from producers.refdata import sync_reference_data

    migrate.upgrade(db.engine)
    with db.transaction() as session:
        return sync_reference_data(session)


@main.group("db")
def db_group() -> None:
    """Schema migrations (Alembic)."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply migrations and load the shipped reference data."""
    loaded = upgrade_database()
    click.echo(f"Database at revision {migrate.current_revision(db.engine)}.")
    for name, rows in loaded.items():
        click.echo(f"  {name}: {'unchanged' if rows == 0 else f'{rows} rows loaded'}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database's revision and the newest one shipped."""
    click.echo(f"database: {migrate.current_revision(db.engine)}  code: {migrate.head_revision()}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Step the schema back to REVISION ('base' drops everything)."""
    migrate.downgrade(db.engine, revision)
    click.echo(f"Database at revision {migrate.current_revision(db.engine)}.")


@main.group("seed")
def seed_group() -> None:
    """Load data."""


def seed_demo_data() -> str:
    """Load the demo catalogue and its sandbox bank connections (idempotent); a summary."""
    from marketplace.accounts.demo import ensure_demo_logins
    from marketplace.core.crypto import vault_for
    from marketplace.payments.demo import connect_demo_operator, connect_demo_producers
    from producers.seed import seed_demo

    media = MediaStorage(current_app.config["MEDIA_DIR"])
    with db.transaction() as session:
        report = seed_demo(session, media, today(), image_config())
        vault = vault_for(current_app.config)
        connected = connect_demo_producers(session, vault)
        connected += connect_demo_operator(
            session, vault, current_app.config["PLATFORM_BANK_ACCOUNT"]
        )
    people = ""
    if current_app.config["DEMO_MODE"]:  # known passwords: never on a production site
        with db.transaction() as session:
            logins = ensure_demo_logins(session, today())
        people = "\n".join(f"  {role:<9} {login}  password: {pw}" for login, pw, role in logins)
        people = f"\nDemo logins (/dang-nhap):\n{people}"
    if not report.changed and not connected:
        return "Demo data already loaded: nothing changed." + people
    return (
        f"Demo data loaded: {report.producers_created} producers, "
        f"{report.products_created} products, {report.certificates_created} certificates, "
        f"{report.images_created} images, {connected} sandbox bank connections." + people
    )


@seed_group.command("demo")
@with_appcontext
def seed_demo_cmd() -> None:
    """The 30 sample OCOP products with producers, certificates and placeholder images."""
    click.echo(seed_demo_data())


@main.group("catalogue")
def catalogue_group() -> None:
    """Catalogue chores."""


@catalogue_group.command("refresh-certificates")
@with_appcontext
def refresh_certificates() -> None:
    """Re-pick the current certificate of products whose cached one lapsed (run daily)."""
    from producers.services import refresh_expired_certificates

    with db.transaction() as session:
        changed = refresh_expired_certificates(session, today())
    click.echo(f"{changed} products changed stars.")


@catalogue_group.command("add-image")
@click.argument("product_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--alt", default="", help="Alternative text")
@with_appcontext
def add_image_cmd(product_id: int, file: Path, alt: str) -> None:
    """Attach a photo to a product (verified, cleaned, thumbnails derived)."""
    from producers.images import add_image
    from producers.models import Product

    with db.transaction() as session:
        product = session.get(Product, product_id)
        if product is None:
            raise click.ClickException(f"no product {product_id}")
        try:
            image = add_image(
                session,
                MediaStorage(current_app.config["MEDIA_DIR"]),
                product,
                file.read_bytes(),
                alt=alt,
                **image_config(),
            )
        except AppError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(json.dumps({"image_id": image.id, "path": image.original_path}))


@main.command("worker")
@click.option("--workers", default=2, show_default=True, type=int, help="worker threads")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    help="also enqueue the schedule (run it in exactly one worker)",
)
def worker(workers: int, periodic: bool) -> None:
    """Run the job consumer (Huey): background jobs and the daily schedule."""
    import logging

    from huey.consumer import Consumer

    from marketplace import tasks  # noqa: F401  (registers the tasks)
    from marketplace.core.jobs import huey, set_app_factory

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    set_app_factory(create_app)
    Consumer(huey, workers=workers, periodic=periodic, worker_type="thread").run()


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--embedded-worker/--no-embedded-worker",
    default=None,
    help="also run the job consumer (default: yes unless JOBS_URL points at Redis)",
)
@with_appcontext
def serve(host: str, port: int, workers: int, embedded_worker: bool | None) -> None:
    """Run the production server (gunicorn)."""
    from marketplace.server import run

    run(host, port, workers, embedded_worker)


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@with_appcontext
def demo(host: str, port: int) -> None:
    """Migrate, load the demo data and serve: the one-command start."""
    from marketplace.server import run

    upgrade_database()
    click.echo(seed_demo_data())
    run(host, port, 2, None)


@main.group("apikey")
def apikey_group() -> None:
    """Producers' API keys."""


@apikey_group.command("create")
@click.option("--producer", "producer_id", required=True, type=int)
@click.option("--name", default="", help="what the key is for")
@with_appcontext
def apikey_create(producer_id: int, name: str) -> None:
    """Create a key and print its secret (shown once, stored hashed)."""
    from marketplace.accounts.services import audit, create_api_key

    try:
        with db.transaction() as session:
            key, secret = create_api_key(session, producer_id, name)
            audit(
                session,
                actor="cli",
                action="api_key.create",
                object_type="api_key",
                object_id=key.id,
            )
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(secret)
    click.echo(f"(key {key.id}, {key.prefix}…: store it now, it cannot be shown again)", err=True)


@main.group("user")
def user_group() -> None:
    """People who log in."""


@user_group.command("create")
@click.option("--email", default="", help="login name (optional when --phone is given)")
@click.option("--phone", default="", help="Vietnamese mobile number, also a login name")
@click.option("--name", default="")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "staff", "onboarder", "producer"])
)
@click.option("--producer", "producer_id", type=int, default=None)
@click.option(
    "--producer-role", type=click.Choice(["owner", "member"]), default="owner", show_default=True
)
@click.option("--province", "provinces", multiple=True, help="scope: province code (repeatable)")
@click.option("--commune", "communes", multiple=True, help="scope: commune code (repeatable)")
@click.password_option()
@with_appcontext
def user_create(
    email: str,
    phone: str,
    name: str,
    role: str,
    producer_id: int | None,
    producer_role: str,
    provinces: tuple[str, ...],
    communes: tuple[str, ...],
    password: str,
) -> None:
    """Create a login (the password is hashed with argon2id); staff and onboarders need a
    --province or --commune scope."""
    from marketplace.accounts.services import add_scopes, audit, create_user
    from marketplace.core.errors import ValidationError

    scopes = [{"province_code": p} for p in provinces] + [{"commune_code": c} for c in communes]
    try:
        with db.transaction() as session:
            user = create_user(
                session,
                email=email,
                phone=phone,
                name=name,
                password=password,
                role=role,
                producer_id=producer_id,
                producer_role=producer_role if role == "producer" else None,
            )
            if role in ("staff", "onboarder") and not scopes:
                raise ValidationError(f"A {role} needs --province or --commune.", param="scope")
            add_scopes(session, user, scopes)
            audit(
                session,
                actor="cli",
                action="user.create",
                object_type="user",
                object_id=user.id,
                detail={"role": role, "scopes": scopes},
                on_behalf_of_producer_id=user.producer_id,
            )
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"user {user.id} <{user.phone or user.email}> ({user.role})")


def _register_area_commands() -> None:
    from marketplace.listings.cli import channel_group, sandboxes_cmd, sync_group
    from marketplace.payments.qr_cli import qr

    main.add_command(qr)
    main.add_command(sync_group)
    main.add_command(channel_group)
    main.add_command(sandboxes_cmd)


_register_area_commands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
