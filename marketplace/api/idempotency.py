"""``Idempotency-Key`` for every POST: same key and body -> the stored response; same key with
another body -> 422; same key while the first request still runs -> 409. Keys live 24 h+.

The key row is claimed in its own short transaction before the work runs (so a concurrent
duplicate sees it "in flight"), and completed with the response in the request's transaction.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import IdempotencyKey
from marketplace.core.db import db, utcnow
from marketplace.core.errors import AppError, Conflict, ValidationError

KEEP_FOR = timedelta(hours=48)
MAX_KEY = 255


class IdempotencyMismatch(AppError):
    status = 422
    code = "idempotency_key_reused"


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _claim(scope: str, key: str, request_hash: str) -> IdempotencyKey | None:
    """Insert the key as in flight in a separate connection; return the existing row if any."""
    engine = current_app.extensions["ocop_db"]
    with engine.begin() as conn:
        conn.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP_FOR))
    try:
        with engine.begin() as conn:
            conn.execute(
                IdempotencyKey.__table__.insert().values(
                    scope=scope,
                    key=key,
                    request_hash=request_hash,
                    state="in_flight",
                    created_at=utcnow(),
                )
            )
        return None
    except IntegrityError:
        with engine.connect() as conn:
            row = conn.execute(
                select(IdempotencyKey.__table__).where(
                    IdempotencyKey.scope == scope, IdempotencyKey.key == key
                )
            ).one()
        return IdempotencyKey(**row._mapping)


def _release(scope: str, key: str) -> None:
    """The work failed: forget the key so the client may retry with it."""
    with current_app.extensions["ocop_db"].begin() as conn:
        conn.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.scope == scope,
                IdempotencyKey.key == key,
                IdempotencyKey.state == "in_flight",
            )
        )


def idempotent(scope_of: Callable[[], str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a POST view so an ``Idempotency-Key`` header makes it safe to retry."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = request.headers.get("Idempotency-Key")
            if key is None:
                return view(*args, **kwargs)
            if not key or len(key) > MAX_KEY:
                raise ValidationError(
                    "Idempotency-Key phải từ 1 đến 255 ký tự.", param="Idempotency-Key"
                )
            scope, fingerprint = scope_of(), _request_hash()
            existing = _claim(scope, key, fingerprint)
            if existing is not None:
                if existing.request_hash != fingerprint:
                    raise IdempotencyMismatch(
                        "Idempotency-Key này đã dùng cho một yêu cầu khác.", param="Idempotency-Key"
                    )
                if existing.state != "done":
                    raise Conflict(
                        "Yêu cầu cùng Idempotency-Key đang được xử lý; hãy thử lại sau.",
                        param="Idempotency-Key",
                        code="idempotency_key_in_flight",
                    )
                replay = Response(
                    existing.response_body,
                    status=existing.response_status,
                    mimetype="application/json",
                )
                replay.headers["Idempotent-Replayed"] = "true"
                return replay
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except BaseException:
                db.rollback()
                _release(scope, key)
                raise
            if response.status_code >= 500 or response.status_code == 409:
                _release(scope, key)
                return response
            row = db.session.scalar(
                select(IdempotencyKey).where(
                    IdempotencyKey.scope == scope, IdempotencyKey.key == key
                )
            )
            if row is not None:
                row.state = "done"
                row.response_status = response.status_code
                row.response_body = response.get_data(as_text=True)
            if response.status_code >= 400:
                # an error is also remembered, but committed on its own: the request rolls back
                db.rollback()
                _finish_separately(scope, key, response)
            return response

        return wrapper

    return decorate


def _finish_separately(scope: str, key: str, response: Response) -> None:
    with current_app.extensions["ocop_db"].begin() as conn:
        conn.execute(
            IdempotencyKey.__table__.update()
            .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
            .values(
                state="done",
                response_status=response.status_code,
                response_body=response.get_data(as_text=True),
            )
        )
