"""The official 2025 administrative units (34 provinces, 3,321 communes) and the old->new lineage."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base

TYPE_PREFIXES = ("Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Đặc khu ")


def short_name(name: str) -> str:
    """``Tỉnh Thái Nguyên`` -> ``Thái Nguyên``."""
    for prefix in TYPE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


class Province(Base):
    __tablename__ = "provinces"

    #: two-digit official code, kept as text ("01")
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    #: official full name with its type word ("Tỉnh Thái Nguyên")
    name: Mapped[str] = mapped_column(String(80))
    #: "tỉnh" or "thành phố trung ương"
    type: Mapped[str] = mapped_column(String(32))
    name_ascii: Mapped[str] = mapped_column(String(80))

    communes: Mapped[list[Commune]] = relationship(back_populates="province", lazy="raise")

    @property
    def short_name(self) -> str:
        return short_name(self.name)


class Commune(Base):
    __tablename__ = "communes"

    #: five-digit official code, kept as text ("05503")
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: "xã", "phường" or "đặc khu"
    type: Mapped[str] = mapped_column(String(16))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name_ascii: Mapped[str] = mapped_column(String(120))

    province: Mapped[Province] = relationship(back_populates="communes", lazy="joined")

    @property
    def short_name(self) -> str:
        return short_name(self.name)


class CommuneLineage(Base):
    """One old (pre-July-2025) commune feeding one new commune."""

    __tablename__ = "commune_lineage"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_province_code: Mapped[str] = mapped_column(String(2))
    old_province_name: Mapped[str] = mapped_column(String(80))
    old_district_code: Mapped[str] = mapped_column(String(3))
    old_district_name: Mapped[str] = mapped_column(String(120))
    #: None for the 6 rows whose old unit had no commune code
    old_commune_code: Mapped[str | None] = mapped_column(String(5), index=True)
    old_commune_name: Mapped[str] = mapped_column(String(160))
    new_commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    note: Mapped[str] = mapped_column(String(400))
    #: the old commune was split among several new ones: a person must choose
    is_split: Mapped[bool] = mapped_column(default=False)
