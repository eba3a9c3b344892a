"""The OCOP classification (Decision 148/QĐ-TTg): 6 groups, 17 subgroups, 26 criteria sets."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base


class OcopGroup(Base):
    __tablename__ = "ocop_groups"

    #: structural numbering "1".."6" (not an official code)
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


class OcopSubgroup(Base):
    __tablename__ = "ocop_subgroups"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    group_code: Mapped[str] = mapped_column(ForeignKey("ocop_groups.code"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class OcopSet(Base):
    """A criteria set (bộ sản phẩm); each product is scored against one."""

    __tablename__ = "ocop_sets"

    #: 1..26, the numbering of Appendix II
    set_no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    subgroup_code: Mapped[str] = mapped_column(ForeignKey("ocop_subgroups.code"))
    #: denormalised from the subgroup so the storefront filters without joins
    group_code: Mapped[str] = mapped_column(ForeignKey("ocop_groups.code"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi
