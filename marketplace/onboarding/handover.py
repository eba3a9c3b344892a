"""Handing over to the producer (a one-time invitation for its owner login) and the
certificates that lapse soon (listed for the onboarder and the producer)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts import scope
from marketplace.accounts.models import Invitation, Role, User
from marketplace.core.text import clean_line
from producers.models import Producer, Product, ProductStatus

from .services import record

EXPIRY_WINDOW_DAYS = 90
INVITATION_DAYS = 14


def invite_owner(
    session: Session, actor: User, producer: Producer, now: datetime
) -> tuple[Invitation, str]:
    """A one-time invitation for the producer's own owner login; returns the row and the
    secret for the link (only its SHA-256 is stored)."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        role=Role.PRODUCER,
        producer_id=producer.id,
        producer_role="owner",
        scopes=[],
        note=clean_line(f"Chủ thể {producer.name}", 200),
        created_by_user_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    record(session, actor, "invited", producer, {"invitation": invitation.id})
    return invitation, token


def expiring(
    session: Session, user: Any, today: date, producer_id: int | None = None
) -> list[Product]:
    """Products whose current certificate ends within 90 days, of producers ``user`` sees."""
    query = (
        select(Product)
        .join(Product.producer)
        .where(
            scope.producer_condition(session, user),
            Product.status != ProductStatus.HIDDEN,
            Product.cert_valid_until >= today,
            Product.cert_valid_until <= today + timedelta(days=EXPIRY_WINDOW_DAYS),
        )
        .order_by(Product.cert_valid_until, Product.id)
        .limit(200)
    )
    if producer_id is not None:
        query = query.where(Product.producer_id == producer_id)
    return list(session.scalars(query).unique())
