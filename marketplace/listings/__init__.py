"""The listing engine: channel accounts, listing bindings, sync jobs and their pages."""

from __future__ import annotations

from typing import Any

_registered = False


def init_app(app: Any) -> None:
    """Load the channel registry, and sync a product's listings after any commit that
    changed the product."""
    global _registered
    from sync_adapters import registry

    registry.channels()  # a channel code claimed twice (a bad plug-in) fails here, at start
    if _registered:
        return
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from .tasks import enqueue_changed

    event.listen(Session, "before_commit", enqueue_changed)
    _registered = True
