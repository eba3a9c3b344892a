"""Vietnamese banks as listed for VietQR (NAPAS BIN); several names can share one BIN."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base


class Bank(Base):
    __tablename__ = "banks"

    #: VietQR short code ("VCB"); unique, unlike the BIN
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: six-digit NAPAS BIN
    bin: Mapped[str] = mapped_column(String(6), index=True)
    short_name: Mapped[str] = mapped_column(String(80))
    #: the State Bank's full Vietnamese name, when listed
    name: Mapped[str] = mapped_column(String(200))
    #: "transfer+receive", "receive-only" or "not supported"
    vietqr_status: Mapped[str] = mapped_column(String(32))
    swift: Mapped[str] = mapped_column(String(11))

    @property
    def receives_transfers(self) -> bool:
        return self.vietqr_status in {"transfer+receive", "receive-only"}
