"""The listing engine: channel accounts, listing bindings, sync jobs and their pages."""

from __future__ import annotations

from typing import Any

_registered = False


def init_app(app: Any) -> None:
    """Sync a product's listings after any commit that changed the product."""
    global _registered
    if _registered:
        return
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from .tasks import enqueue_changed

    event.listen(Session, "before_commit", enqueue_changed)
    _registered = True
