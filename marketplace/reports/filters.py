"""What a report covers: the place (province or commune), the producer kind, the dates, and
the person asking (their scope). Every figure and export applies the same conditions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from marketplace.accounts.models import Role
from marketplace.accounts.scope import producer_condition, scopes_of
from marketplace.core.clock import VIETNAM
from marketplace.core.errors import ValidationError
from producers.models import Commune, Producer, Province

from .labels import KIND

#: the longest date range a report covers (a wider one is almost always a typo in the year)
MAX_DAYS = 3660


@dataclass(frozen=True)
class Filters:
    """The report's filters; dates are Vietnamese calendar days, both ends included."""

    province: str | None = None
    commune: str | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def by_commune(self) -> bool:
        """Places are broken down by commune once a province or a commune is chosen."""
        return bool(self.province or self.commune)

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for links that keep them)."""
        out = {
            "province": self.province or "",
            "commune": self.commune or "",
            "kind": self.kind or "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in out.items() if v}

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The dates as UTC instants: [start of the first day, start of the day after the last)."""
        start = end = None
        if self.date_from:
            start = datetime.combine(self.date_from, time(0), VIETNAM).astimezone(UTC)
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time(0), VIETNAM)
            end = end.astimezone(UTC)
        return start, end


def _code(args: Mapping[str, str], name: str, digits: int) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if not re.fullmatch(rf"\d{{{digits}}}", value):
        raise ValidationError(
            "Mã địa bàn không hợp lệ. Chọn lại trong bộ lọc, hoặc bỏ bộ lọc này.", param=name
        )
    return value


def _date(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            "Ngày không hợp lệ. Chọn ngày bằng ô lịch (dạng ngày/tháng/năm).", param=name
        ) from None


def parse(args: Mapping[str, str]) -> Filters:
    """Filters from query arguments; a 400 naming the argument when one is invalid."""
    kind = (args.get("kind") or "").strip() or None
    if kind is not None and kind not in KIND:
        raise ValidationError(
            "Loại chủ thể không hợp lệ. Chọn lại trong bộ lọc, hoặc bỏ bộ lọc này.", param="kind"
        )
    filters = Filters(
        province=_code(args, "province", 2),
        commune=_code(args, "commune", 5),
        kind=kind,
        date_from=_date(args, "from"),
        date_to=_date(args, "to"),
    )
    if filters.date_from and filters.date_to:
        if filters.date_from > filters.date_to:
            raise ValidationError(
                "Ngày bắt đầu không được sau ngày kết thúc. Đổi “Từ ngày” hoặc “Đến ngày”.",
                param="from",
            )
        if (filters.date_to - filters.date_from).days > MAX_DAYS:
            raise ValidationError("Khoảng thời gian quá dài (tối đa 10 năm).", param="from")
    return filters


def producer_where(session: Session, user: Any, filters: Filters) -> list[ColumnElement[bool]]:
    """Conditions on ``Producer``: the user's scope, then the chosen place and kind."""
    where = [producer_condition(session, user)]
    if filters.province:
        where.append(Producer.province_code == filters.province)
    if filters.commune:
        where.append(Producer.commune_code == filters.commune)
    if filters.kind:
        where.append(Producer.kind == filters.kind)
    return where


def in_window(column: Any, filters: Filters) -> ColumnElement[bool]:
    """``column`` (a UTC timestamp) falls within the chosen dates; true when none are chosen."""
    start, end = filters.window()
    terms = []
    if start is not None:
        terms.append(column >= start)
    if end is not None:
        terms.append(column < end)
    return and_(*terms) if terms else true()


@dataclass(frozen=True)
class Picker:
    """The places a person may choose from: provinces, and the communes of the chosen one."""

    provinces: list[Province]
    communes: list[Commune]
    #: the commune list may be refilled from the API when the province changes (whole
    #: provinces are in scope); otherwise it is the fixed list of the person's communes
    dynamic: bool


def picker(session: Session, user: Any, filters: Filters) -> Picker:
    """Provinces and communes offered in the filter form, limited to the user's scope."""
    if user.role == Role.ADMIN:
        provinces = list(session.scalars(select(Province).order_by(Province.name)))
        communes = _communes_of(session, filters.province)
        return Picker(provinces, communes, dynamic=True)
    province_codes, commune_codes = scopes_of(session, user)
    scoped_communes = (
        list(
            session.scalars(
                select(Commune)
                .where(Commune.code.in_(sorted(commune_codes)))
                .order_by(Commune.name)
            )
        )
        if commune_codes
        else []
    )
    all_provinces = province_codes | {c.province_code for c in scoped_communes}
    provinces = list(
        session.scalars(
            select(Province).where(Province.code.in_(sorted(all_provinces))).order_by(Province.name)
        )
    )
    if filters.province in province_codes:
        return Picker(provinces, _communes_of(session, filters.province), dynamic=True)
    communes = [
        c for c in scoped_communes if not filters.province or c.province_code == filters.province
    ]
    return Picker(provinces, communes, dynamic=bool(province_codes))


def _communes_of(session: Session, province: str | None) -> list[Commune]:
    if not province:
        return []
    return list(
        session.scalars(
            select(Commune).where(Commune.province_code == province).order_by(Commune.name)
        )
    )
