"""``ocop qr``: build, render and check VietQR payloads from a terminal.

A plain click group with no app context, so operators can check a payload a customer sent
without a database. ``marketplace.cli`` mounts it with ``main.add_command(qr)``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .qr_render import DEFAULT_BOX_SIZE, MAX_BOX_SIZE, render_png, render_svg
from .vietqr import SERVICES, VietQRError, build, parse


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise click.exceptions.Exit(1)


@click.group("qr")
def qr() -> None:
    """VietQR payloads: build one, or check one a customer or bank sent."""


@qr.command("build")
@click.option("--bin", "bin_", required=True, help="NAPAS bank BIN, e.g. 970436 (Vietcombank).")
@click.option("--account", required=True, help="Account or card number (1-19 letters/digits).")
@click.option("--amount", type=int, default=None, help="Whole đồng; omit for a static QR.")
@click.option("--purpose", default=None, help="Transfer purpose, folded to A-Z 0-9, max 25.")
@click.option("--bill-number", default=None, help="Optional bill number (62.01).")
@click.option(
    "--service",
    type=click.Choice(SERVICES),
    default=SERVICES[0],
    show_default=True,
    help="QRIBFTTA: to an account; QRIBFTTC: to a card.",
)
@click.option("--png", "png_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--svg", "svg_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--box-size",
    type=click.IntRange(1, MAX_BOX_SIZE),
    default=DEFAULT_BOX_SIZE,
    show_default=True,
    help="Pixels per module in the PNG/SVG.",
)
def build_command(
    bin_: str,
    account: str,
    amount: int | None,
    purpose: str | None,
    bill_number: str | None,
    service: str,
    png_path: Path | None,
    svg_path: Path | None,
    box_size: int,
) -> None:
    """Print a VietQR payload, and optionally write it as PNG and/or SVG."""
    try:
        payload = build(bin_, account, amount, purpose, service=service, bill_number=bill_number)
    except VietQRError as err:
        _fail(f"invalid VietQR: {err}")
        return
    try:
        if png_path is not None:
            png_path.write_bytes(render_png(payload, box_size=box_size))
        if svg_path is not None:
            svg_path.write_text(render_svg(payload, box_size=box_size), encoding="utf-8")
    except OSError as err:
        _fail(f"cannot write the QR image: {err}")
    click.echo(payload)


@qr.command("parse")
@click.argument("payload")
def parse_command(payload: str) -> None:
    """Check a VietQR payload and print its fields as JSON."""
    try:
        fields = parse(payload).to_dict()
    except VietQRError as err:
        _fail(f"invalid VietQR: {err}")
        return
    click.echo(json.dumps(fields, ensure_ascii=False, indent=2))
