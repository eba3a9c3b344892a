"""Product revisions: every change a marketplace listing may care about bumps
``Product.revision`` in the same flush, and the ids of changed products are collected on the
session (``session.info["changed_products"]``) for whoever wants to react after commit.

The listing engine compares a listing's ``synced_revision`` with the product's ``revision``
(level-triggered), so nothing that edits products needs to know listings exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from .models import Certificate, Producer, Product, ProductImage

#: Product columns whose change does not concern a marketplace (search caches, bookkeeping).
_IGNORED = {"search_name", "search_text", "updated_at", "revision", "provenance", "source_ref"}
CHANGED_KEY = "changed_products"


def _product_changed(product: Product) -> bool:
    state = inspect(product)
    return any(attr.key not in _IGNORED and attr.history.has_changes() for attr in state.attrs)


def _note(session: Session, product_id: int | None) -> None:
    if product_id is not None:
        session.info.setdefault(CHANGED_KEY, set()).add(product_id)


def note_changed(session: Session, product_id: int) -> None:
    """For bulk SQL updates (which bypass the ORM events): record that a product changed.
    The caller bumps ``revision`` in the same statement."""
    _note(session, product_id)


@event.listens_for(Session, "before_flush")
def _bump_revisions(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty):
        if isinstance(obj, Product) and _product_changed(obj):
            obj.revision = (obj.revision or 0) + 1
            _note(session, obj.id)
        elif isinstance(obj, Producer) and inspect(obj).attrs.status.history.has_changes():
            # A producer suspended or reactivated changes whether its products may be listed.
            ids = session.scalars(
                update(Product)
                .where(Product.producer_id == obj.id)
                .values(revision=Product.revision + 1)
                .returning(Product.id)
            ).all()
            for product_id in ids:
                _note(session, product_id)
    for obj in list(session.new) + list(session.deleted):
        if not isinstance(obj, ProductImage | Certificate):
            continue
        parent = obj.__dict__.get("product")  # set when appended through the relationship
        product_id = obj.product_id or (parent.id if parent is not None else None)
        if product_id is None:
            continue  # a brand-new product: its listings do not exist yet
        if parent is not None and parent in session:
            if parent not in session.new:
                parent.revision = (parent.revision or 0) + 1
        else:
            session.execute(
                update(Product)
                .where(Product.id == product_id)
                .values(revision=Product.revision + 1)
            )
        _note(session, product_id)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(CHANGED_KEY, None)


def take_changed(session: Session) -> set[int]:
    """The product ids changed since the last call (cleared)."""
    return session.info.pop(CHANGED_KEY, set())
