"""The category table (admins): which channel category each OCOP product set goes to."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from marketplace.accounts.guards import admin_only
from marketplace.accounts.services import audit
from marketplace.core.db import db
from marketplace.core.errors import AppError
from producers.models import OcopSet
from sync_adapters import registry

from . import exports, services


def _attributes(text: str) -> dict[str, str]:
    """``name=value`` lines as a dict (lines without "=" are ignored)."""
    pairs = (line.partition("=") for line in text.splitlines())
    return {key: value for key, sep, value in pairs if sep}


@admin_only
def mappings() -> ResponseReturnValue:
    """Show the table; a POST points one OCOP set at one channel category."""
    error = None
    if request.method == "POST":
        channel = request.form.get("channel", "")
        set_code = request.form.get("set_code", "")
        category_id = request.form.get("category_id", "")
        try:
            services.set_mapping(
                db.session,
                channel,
                set_code,
                category_id,
                _attributes(request.form.get("attributes", "")),
                current_user.id,
            )
            audit(
                db.session,
                actor=current_user.email,
                actor_user_id=current_user.id,
                action="channel_mapping.set",
                object_type="channel_category_mapping",
                object_id=f"{channel}:{set_code}",
                detail={"category_id": category_id},
            )
        except AppError as exc:
            db.rollback()
            error = exc
    sets = list(db.session.scalars(select(OcopSet).order_by(OcopSet.set_no)))
    return render_template(
        "listings/mappings.html",
        sets=sets,
        table=exports.mapping_table(db.session, sets),
        error=error,
        channels=registry.channels(),
    ), (error.status if error else 200)
