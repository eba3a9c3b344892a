"""The platform's notion of today: Vietnam's calendar day (UTC+7)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    """Today in Vietnam: certificates lapse at the end of their last Vietnamese day."""
    return datetime.now(VIETNAM).date()
