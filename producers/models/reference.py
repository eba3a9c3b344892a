"""Which version of each shipped reference file is loaded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base, UTCDateTime, utcnow


class ReferenceVersion(Base):
    __tablename__ = "reference_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
