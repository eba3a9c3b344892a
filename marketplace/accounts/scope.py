"""Who may see and act for which producer: the one rule every page, report and API uses.

- admin: everyone.
- staff: producers in their provinces/communes (read, review, reports).
- onboarder: producers in their communes/provinces, and producers they onboard (act for them).
- producer (owner or member): their own producer only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from producers.models import Producer

from .models import Role, User, UserScope


def scopes_of(session: Session, user: User) -> tuple[set[str], set[str]]:
    """(province codes, commune codes) a staff member or onboarder works in."""
    provinces, communes = set(), set()
    for scope in session.scalars(select(UserScope).where(UserScope.user_id == user.id)):
        if scope.province_code:
            provinces.add(scope.province_code)
        if scope.commune_code:
            communes.add(scope.commune_code)
    return provinces, communes


def producer_condition(session: Session, user: Any) -> ColumnElement[bool]:
    """SQL condition on ``Producer`` selecting exactly the producers ``user`` may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.PRODUCER:
        return Producer.id == user.producer_id if user.producer_id else false()
    provinces, communes = scopes_of(session, user)
    terms: list[ColumnElement[bool]] = []
    if provinces:
        terms.append(Producer.province_code.in_(sorted(provinces)))
    if communes:
        terms.append(Producer.commune_code.in_(sorted(communes)))
    if user.role == Role.ONBOARDER:
        terms.append(Producer.onboarder_user_id == user.id)
    return or_(*terms) if terms else false()


def may_see(session: Session, user: Any, producer_id: int) -> bool:
    """True when ``user`` may read this producer's data."""
    found = session.scalar(
        select(Producer.id).where(Producer.id == producer_id, producer_condition(session, user))
    )
    return found is not None


def may_act_for(session: Session, user: Any, producer_id: int) -> bool:
    """True when ``user`` may change this producer's data (staff only read and review)."""
    if user is None or user.role == Role.STAFF:
        return False
    return may_see(session, user, producer_id)


def visible_producers(session: Session, user: Any) -> list[Producer]:
    """The producers ``user`` may see, by name."""
    return list(
        session.scalars(
            select(Producer).where(producer_condition(session, user)).order_by(Producer.name)
        )
    )
