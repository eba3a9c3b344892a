"""Demo mode: connect every demo payee account to a sandbox notification service, so
"simulate a transfer" on a payment page travels the same signed-webhook path as real money."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.crypto import Vault
from producers.models import Producer

from . import connections
from .models import NotificationConnection


def connect_demo_producers(session: Session, vault: Vault, provider: str = "sepay") -> int:
    """One sandbox connection per demo producer with a bank account and none yet; returns count."""
    connected = {c.producer_id for c in session.scalars(select(NotificationConnection))}
    count = 0
    producers = session.scalars(
        select(Producer).where(
            Producer.source_ref.like("sample:%"), Producer.bank_account.is_not(None)
        )
    )
    for producer in producers:
        if producer.id in connected or producer.bank_account is None:
            continue
        connections.connect(
            session,
            vault,
            provider=provider,
            secrets=[secrets.token_urlsafe(24)],
            accounts=[producer.bank_account],
            producer_id=producer.id,
        )
        count += 1
    return count


def connect_demo_operator(
    session: Session, vault: Vault, account: str, provider: str = "sepay"
) -> int:
    """A sandbox connection for the operator's fee account (producer None); 1 if created."""
    existing = session.scalar(
        select(NotificationConnection).where(NotificationConnection.producer_id.is_(None))
    )
    if existing is not None:
        return 0
    connections.connect(
        session,
        vault,
        provider=provider,
        secrets=[secrets.token_urlsafe(24)],
        accounts=[account],
        producer_id=None,
    )
    return 1
