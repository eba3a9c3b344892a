"""Demo logins (demo mode only): one per role around one demo cooperative (admin, province
staff, commune onboarder, the cooperative's owner and a member who logs in by phone), with
passwords printed by ``ocop demo`` so a newcomer can try every view at once. Never created in
production."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from producers.models import Producer, ProducerStatus, Product

from .models import User
from .services import add_scopes, create_user


class DemoLogin(NamedTuple):
    email: str
    password: str
    role: str
    name: str
    producer_role: str | None = None
    phone: str | None = None
    #: "province" or "commune" of the demo producer, for staff and onboarders
    scope: str | None = None

    @property
    def label(self) -> str:
        """How ``ocop demo`` names the login."""
        return self.producer_role or self.role


LOGINS = (
    DemoLogin("admin@demo.ocop.vn", "demo-admin-ocop", "admin", "Quản trị (demo)"),
    DemoLogin(
        "canbo@demo.ocop.vn", "demo-canbo-ocop", "staff", "Cán bộ tỉnh (demo)", scope="province"
    ),
    DemoLogin(
        "congnghe@demo.ocop.vn",
        "demo-congnghe-ocop",
        "onboarder",
        "Tổ công nghệ số xã (demo)",
        scope="commune",
    ),
    DemoLogin("htx@demo.ocop.vn", "demo-htx-ocop", "producer", "Hợp tác xã (demo)", "owner"),
    DemoLogin(
        "thanhvien@demo.ocop.vn",
        "demo-thanhvien-ocop",
        "producer",
        "Thành viên HTX (demo)",
        "member",
        phone="0912345001",
    ),
)
ADMIN, PRODUCER = LOGINS[0], LOGINS[3]


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
    """Create the demo logins that do not exist yet (one per role, around the demo producer);
    every demo login as (login, password, label)."""
    out = []
    producer = _demo_producer(session, today)
    for demo in LOGINS:
        if demo.role != "admin" and producer is None:
            continue
        if session.scalar(select(User.id).where(User.email == demo.email)) is None:
            user = create_user(
                session,
                email=demo.email,
                name=demo.name,
                password=demo.password,
                role=demo.role,
                producer_id=producer.id if producer and demo.role == "producer" else None,
                producer_role=demo.producer_role,
                phone=demo.phone,
            )
            if producer is not None and demo.scope == "province":
                add_scopes(session, user, [{"province_code": producer.province_code}])
            elif producer is not None and demo.scope == "commune":
                add_scopes(session, user, [{"commune_code": producer.commune_code}])
        login = f"{demo.email} / {demo.phone}" if demo.phone else demo.email
        out.append((login, demo.password, demo.label))
    return out
