"""Onboarding a producer step by step: the checklist and state, identity, consent.

Address, bank and product steps live in address.py, bank.py and products.py; handing over and
expiring certificates in handover.py.

The state is the producer's own columns, so leaving and coming back resumes at the first step
that is still missing (``Checklist.next_step``). A producer turns active (listed in the
storefront) the moment the checklist is complete; nothing here demotes one (suspending is an
operator's decision). Every change is audited on behalf of the producer. These functions take
the acting user explicitly, flush and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts import scope
from marketplace.accounts.models import Role, User
from marketplace.accounts.services import audit
from marketplace.core.errors import ValidationError
from marketplace.core.text import clean_line
from producers import validation
from producers.models import (
    Commune,
    Producer,
    ProducerKind,
    ProducerStatus,
    Product,
    ProductStatus,
)
from producers.services import TAX_CODE_TAKEN, ProducerInput, create_producer, refresh_search

from .forms import FormErrors, IdentityForm

#: the version of the terms a producer consents to; a new version asks again
TERMS_VERSION = "2026-11"
#: the steps a producer must complete to be listed, in order (URL slugs in blueprint.py)
REQUIRED_STEPS = ("identity", "address", "bank", "consent", "products")
#: connecting marketplace shops is offered, never required
STEPS = (*REQUIRED_STEPS, "channels")


@dataclass
class Item:
    """One step of the checklist: done, or which things are missing (codes for the page)."""

    step: str
    missing: list[str] = field(default_factory=list)
    #: offered, never required (connecting marketplace shops)
    optional: bool = False

    @property
    def done(self) -> bool:
        return not self.missing


@dataclass
class Checklist:
    """What a producer has and lacks; the first required step not done is where to resume."""

    items: list[Item]

    @property
    def complete(self) -> bool:
        return all(i.done for i in self.items if i.step in REQUIRED_STEPS)

    @property
    def next_step(self) -> str | None:
        return next((i.step for i in self.items if not i.done and not i.optional), None)

    @property
    def done_count(self) -> int:
        return sum(i.done for i in self.items if i.step in REQUIRED_STEPS)

    def item(self, step: str) -> Item:
        """The item of ``step``."""
        return next(i for i in self.items if i.step == step)


def _listable_counts(session: Session, producer_ids: Iterable[int], today: date) -> dict[int, int]:
    """Published products holding a valid certificate, per producer."""
    ids = list(producer_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Product.producer_id, func.count())
        .where(
            Product.producer_id.in_(ids),
            Product.status == ProductStatus.PUBLISHED,
            Product.cert_valid_until >= today,
        )
        .group_by(Product.producer_id)
    ).all()
    return {pid: int(n) for pid, n in rows}


def _items(producer: Producer, listable: int) -> list[Item]:
    identity = [
        name
        for name, value in (
            ("tax_code", producer.tax_code),
            ("representative", producer.representative),
            ("phone", producer.phone),
        )
        if not value
    ]
    address = (["street"] if not producer.street else []) + (
        ["address_review"] if producer.address_review else []
    )
    if not producer.bank_account:
        bank = ["bank_account"]
    else:
        bank = [] if producer.bank_verified_at else ["bank_verified"]
    if producer.consent_at is None:
        consent = ["consent"]
    else:
        consent = [] if producer.terms_version == TERMS_VERSION else ["consent_version"]
    return [
        Item("identity", identity),
        Item("address", address),
        Item("bank", bank),
        Item("consent", consent),
        Item("products", [] if listable else ["product"]),
        Item("channels", [], optional=True),
    ]


def checklist(session: Session, producer: Producer, today: date) -> Checklist:
    """The checklist of one producer."""
    return Checklist(
        _items(producer, _listable_counts(session, [producer.id], today).get(producer.id, 0))
    )


def checklists(session: Session, producers: list[Producer], today: date) -> dict[int, Checklist]:
    """Checklists of many producers with one query for their products."""
    counts = _listable_counts(session, [p.id for p in producers], today)
    return {p.id: Checklist(_items(p, counts.get(p.id, 0))) for p in producers}


def refresh_status(session: Session, producer: Producer, today: date) -> bool:
    """Draft -> onboarding on the first change; -> active once the checklist is complete.
    Returns True when the producer has just become active."""
    if producer.status == ProducerStatus.DRAFT:
        producer.status = ProducerStatus.ONBOARDING
    if (
        producer.status == ProducerStatus.ONBOARDING
        and checklist(session, producer, today).complete
    ):
        producer.status = ProducerStatus.ACTIVE
        session.flush()
        return True
    session.flush()
    return False


def record(
    session: Session, actor: User, action: str, producer: Producer, detail: dict[str, Any]
) -> None:
    """Audit an onboarding change made by ``actor`` for ``producer``."""
    audit(
        session,
        actor=actor.email,
        actor_user_id=actor.id,
        action=f"onboarding.{action}",
        object_type="producer",
        object_id=producer.id,
        detail=detail,
        on_behalf_of_producer_id=producer.id,
    )


# --- where a person may place a producer ------------------------------------------------------


def may_create_in(session: Session, actor: User, commune: Commune) -> bool:
    """Admins anywhere; onboarders only in their communes or provinces."""
    if actor.role == Role.ADMIN:
        return True
    if actor.role != Role.ONBOARDER:
        return False
    provinces, communes = scope.scopes_of(session, actor)
    return commune.code in communes or commune.province_code in provinces


def may_place(session: Session, actor: User, producer: Producer, commune: Commune) -> bool:
    """An onboarder moves a producer only within their scope, unless they onboard it."""
    if actor.role != Role.ONBOARDER or producer.onboarder_user_id == actor.id:
        return True
    return may_create_in(session, actor, commune)


def commune_or_error(session: Session, code: str, param: str = "commune_code") -> Commune:
    commune = session.get(Commune, code.strip()) if code.strip() else None
    if commune is None:
        raise FormErrors({param: "Chọn tỉnh/thành rồi chọn xã/phường."})
    return commune


# --- step 1: identity -------------------------------------------------------------------------


def _identity_errors(
    session: Session, data: IdentityForm, producer_id: int | None
) -> dict[str, str]:
    """Every identity problem at once (field -> Vietnamese message)."""
    errors: dict[str, str] = {}
    if data.kind not in {k.value for k in ProducerKind}:
        errors["kind"] = "Chọn loại chủ thể: hợp tác xã, doanh nghiệp hoặc hộ kinh doanh."
    if not clean_line(data.name):
        errors["name"] = "Vui lòng nhập tên chủ thể."
    if not data.tax_code.strip():
        errors["tax_code"] = "Vui lòng nhập mã số thuế."
    else:
        try:
            tax = validation.tax_code(data.tax_code)
            taken = session.scalar(
                select(Producer.id).where(
                    Producer.tax_code == tax, Producer.id != (producer_id or 0)
                )
            )
            if taken:
                errors["tax_code"] = TAX_CODE_TAKEN
        except ValidationError as exc:
            errors["tax_code"] = exc.message
    if not clean_line(data.representative):
        errors["representative"] = "Vui lòng nhập họ tên người đại diện."
    if not data.phone.strip():
        errors["phone"] = "Vui lòng nhập số điện thoại."
    else:
        try:
            validation.phone(data.phone)
        except ValidationError as exc:
            errors["phone"] = exc.message
    return errors


def start_producer(session: Session, actor: User, data: IdentityForm, today: date) -> Producer:
    """Step 1 for a new producer: validate, check the commune is in the actor's scope, add it
    (status onboarding, the actor as its onboarder)."""
    errors = _identity_errors(session, data, None)
    commune = None
    try:
        commune = commune_or_error(session, data.commune_code)
    except FormErrors as exc:
        errors.update(exc.errors)
    if commune is not None and not may_create_in(session, actor, commune):
        errors["commune_code"] = "Bạn chỉ tạo được chủ thể ở xã/phường mình phụ trách."
    if errors:
        raise FormErrors(errors)
    assert commune is not None
    producer = create_producer(
        session,
        ProducerInput(
            kind=data.kind,
            name=data.name,
            commune_code=commune.code,
            street=data.street,
            tax_code=data.tax_code,
            representative=data.representative,
            phone=data.phone,
            status=ProducerStatus.ONBOARDING,
        ),
    )
    producer.onboarder_user_id = actor.id
    session.flush()
    record(session, actor, "created", producer, {"name": producer.name, "commune": commune.code})
    return producer


def update_identity(
    session: Session, actor: User, producer: Producer, data: IdentityForm, today: date
) -> None:
    """Step 1 again: change the producer's kind, name, tax code, representative, phone."""
    errors = _identity_errors(session, data, producer.id)
    if errors:
        raise FormErrors(errors)
    name = clean_line(data.name, 200)
    renamed = name != producer.name
    producer.kind = data.kind
    producer.name = name
    producer.tax_code = validation.tax_code(data.tax_code)
    producer.representative = clean_line(data.representative, 120)
    producer.phone = validation.phone(data.phone)
    session.flush()
    if renamed:
        refresh_products(session, producer)
    record(session, actor, "identity", producer, {"name": name, "tax_code": producer.tax_code})
    refresh_status(session, producer, today)


def refresh_products(session: Session, producer: Producer) -> None:
    """Products carry the producer's name and place in their search text."""
    for product in session.scalars(select(Product).where(Product.producer_id == producer.id)):
        refresh_search(session, product)


# --- step 4: consent --------------------------------------------------------------------------


def give_consent(
    session: Session, actor: User, producer: Producer, agreed: bool, now: datetime, today: date
) -> None:
    """The producer accepts the current terms (an onboarder records it sitting with them)."""
    if not agreed:
        raise FormErrors({"agree": "Chủ thể cần đọc và đánh dấu đồng ý với điều khoản."})
    producer.consent_at = now
    producer.terms_version = TERMS_VERSION
    session.flush()
    record(session, actor, "consent", producer, {"terms_version": TERMS_VERSION})
    refresh_status(session, producer, today)
