"""Step 2, the address: a street line and a 2025 commune, picked or mapped from a pre-2025
address through the official lineage; an old commune that was split goes to a person."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts import scope
from marketplace.accounts.models import User
from marketplace.core.errors import ValidationError
from marketplace.core.text import clean_line
from producers.models import Commune, Producer

from .forms import AddressForm, FormErrors
from .lineage import LegacyMatch, map_legacy
from .services import commune_or_error, may_place, record, refresh_products, refresh_status


def update_address(
    session: Session, actor: User, producer: Producer, data: AddressForm, today: date
) -> LegacyMatch | None:
    """Street line and commune, picked or mapped from a pre-2025 address. An old commune that
    was split flags the producer for a person to choose (``resolve_address``)."""
    errors: dict[str, str] = {}
    street = clean_line(data.street, 200)
    if not street:
        errors["street"] = "Vui lòng nhập thôn/xóm, số nhà hoặc tên đường."
    legacy = clean_line(data.legacy, 300)
    match, commune = None, None
    try:
        if legacy:
            match = map_legacy(session, legacy)
            if not match.is_split:
                commune = commune_or_error(session, match.new_codes[0], "legacy")
        else:
            commune = commune_or_error(session, data.commune_code)
    except ValidationError as exc:
        errors.update(getattr(exc, "errors", None) or {exc.param or "legacy": exc.message})
    if commune is not None and not may_place(session, actor, producer, commune):
        errors["commune_code"] = (
            "Xã/phường này không thuộc địa bàn bạn phụ trách. Chọn xã trong địa bàn của bạn, hoặc "
            "nhờ người phụ trách địa bàn đó."
        )
    if errors:
        raise FormErrors(errors)
    producer.street = street
    if match is not None:
        producer.address_note = f"Địa chỉ cũ: {legacy}"[:400]
        producer.address_review = match.is_split
    if commune is not None:
        place(session, producer, commune)
    session.flush()
    record(
        session,
        actor,
        "address",
        producer,
        {"commune": producer.commune_code, "legacy": legacy, "review": producer.address_review},
    )
    refresh_status(session, producer, today)
    return match


def place(session: Session, producer: Producer, commune: Commune) -> None:
    if producer.commune_code != commune.code:
        producer.commune_code = commune.code
        producer.province_code = commune.province_code
        session.flush()
        session.refresh(producer, ["commune"])
        refresh_products(session, producer)


def review_candidates(session: Session, producer: Producer) -> list[Commune]:
    """The new communes a split old commune became (what the person chooses from)."""
    if not producer.address_review or not producer.address_note:
        return []
    text = producer.address_note.split(":", 1)[-1]
    try:
        match = map_legacy(session, text)
    except ValidationError:
        return []
    return [c for c in (session.get(Commune, code) for code in match.new_codes) if c]


def resolve_address(
    session: Session, actor: User, producer: Producer, commune_code: str, today: date
) -> None:
    """A person chose which new commune a split old commune's address belongs to."""
    candidates = {c.code: c for c in review_candidates(session, producer)}
    commune = candidates.get(commune_code.strip())
    if commune is None:
        raise FormErrors({"resolve": "Chọn một trong các xã/phường mới được liệt kê."})
    place(session, producer, commune)
    producer.address_review = False
    session.flush()
    record(session, actor, "address_resolved", producer, {"commune": commune.code})
    refresh_status(session, producer, today)


def needing_review(session: Session, user: Any) -> list[Producer]:
    """Producers whose address waits for a person, among those ``user`` sees."""
    return list(
        session.scalars(
            select(Producer)
            .where(scope.producer_condition(session, user), Producer.address_review.is_(True))
            .order_by(Producer.name)
        )
    )
