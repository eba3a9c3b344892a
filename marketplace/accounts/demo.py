"""Demo logins (demo mode only): an operator and one cooperative, with passwords printed by
``ocop demo`` so a newcomer can open /quan-ly at once. Never created in production."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from producers.models import Producer, ProducerStatus, Product

from .models import User
from .services import create_user

ADMIN = ("admin@demo.ocop.vn", "demo-admin-ocop", "admin", "Quản trị (demo)")
PRODUCER = ("htx@demo.ocop.vn", "demo-htx-ocop", "producer", "Hợp tác xã (demo)")


def _demo_producer(session: Session, today: date) -> Producer | None:
    """The active demo producer with the most products holding a valid certificate."""
    counts = Counter(
        session.scalars(
            select(Product.producer_id)
            .join(Producer, Producer.id == Product.producer_id)
            .where(
                Producer.status == ProducerStatus.ACTIVE,
                Producer.source_ref.is_not(None),
                Product.cert_valid_until >= today,
            )
        )
    )
    if not counts:
        return None
    producer_id = min(counts, key=lambda pid: (-counts[pid], pid))
    return session.get(Producer, producer_id)


def ensure_demo_logins(session: Session, today: date) -> list[tuple[str, str, str]]:
    """Create the demo logins that do not exist yet; every demo login as (email, password, role)."""
    out = []
    producer = _demo_producer(session, today)
    for email, password, role, name in (ADMIN, PRODUCER):
        producer_id = producer.id if role == "producer" and producer else None
        if role == "producer" and producer_id is None:
            continue
        if session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(
                session,
                email=email,
                name=name,
                password=password,
                role=role,
                producer_id=producer_id,
            )
        out.append((email, password, role))
    return out
