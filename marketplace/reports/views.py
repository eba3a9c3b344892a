"""Report pages: parse the filters, call one service, render or send the file."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, abort, render_template, request, send_file, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user, login_required

from marketplace.accounts.models import Role
from marketplace.core.clock import today
from marketplace.core.db import db

from . import exports, figures, filters, queries
from .labels import KIND

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def staff_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Admins and staff (whose scope limits what they see); everyone else gets 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user.role not in (Role.ADMIN, Role.STAFF):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _locale() -> str:
    return str(get_locale() or "vi")


@staff_only
def dashboard() -> ResponseReturnValue:
    chosen = filters.parse(request.args)
    data = queries.dashboard(db.session, current_user, chosen, today())
    args = chosen.args()

    def link(code: str) -> str:  # drill down: a province's communes, or one commune
        key = "commune" if chosen.by_commune else "province"
        return url_for("reports.dashboard", **{**args, key: code})

    return render_template(
        "reports/dashboard.html",
        filters=chosen,
        picker=filters.picker(db.session, current_user, chosen),
        figures=figures.all_figures(data, _locale(), link),
        kinds=KIND,
        args=args,
    )


@staff_only
def export(report: str, fmt: str) -> ResponseReturnValue:
    chosen = filters.parse(request.args)
    if report == "san-pham":
        table = exports.product_table(db.session, current_user, chosen, today(), _locale())
    else:
        table = exports.producer_table(db.session, current_user, chosen, today())
    filename = f"{table.name}-{today():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        return send_file(
            exports.xlsx_file(table), mimetype=XLSX, as_attachment=True, download_name=filename
        )
    return Response(
        stream_with_context(exports.csv_chunks(table)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
