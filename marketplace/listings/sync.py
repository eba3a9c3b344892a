"""Sync one listing, idempotently (the OCA "exporter"): claim it, read the truth, map it,
create or update at the marketplace, and record the outcome.

Crash safety: ``create_sent`` is committed *before* a create goes out and the external id
right after it comes back; a retry that finds ``create_sent`` without an external id asks the
marketplace for our SKU first, so a crash between the two never creates a duplicate. A lease
on the row keeps two workers off the same listing; an expired lease (a killed worker) frees it.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from marketplace.core.crypto import Vault
from marketplace.core.db import db, utcnow
from sync_adapters.base import (
    Adapter,
    AdapterError,
    AuthExpiredError,
    FieldProblem,
    ListingResult,
    PermanentError,
    RateLimitedError,
    RemoteStatus,
    RetryableError,
)

from . import accounts, payload
from .models import AccountStatus, ChannelAccount, ChannelListing, ListingEvent, ListingState
from .plan import (
    LEASE,
    Plan,
    build_plan,
    claim,
    current_result,
    due_ids,
    lagging,
    product_revision,
    review_result,
)
from .ratelimit import LimitedSession, RateLimiter, bucket_key

__all__ = ["LEASE", "LeaseLost", "Plan", "Policy", "Syncer", "claim", "due_ids", "lagging"]


class LeaseLost(Exception):
    """Another worker holds the listing now: stop without touching it."""


@dataclass(frozen=True)
class Policy:
    """Retry policy: exponential backoff with full jitter, bounded."""

    base_s: float = 5.0
    cap_s: float = 900.0
    max_attempts: int = 8

    def delay(self, attempts: int, rng: random.Random) -> float:
        """Seconds before attempt ``attempts + 1``."""
        return rng.uniform(0.5, 1.0) * min(self.cap_s, self.base_s * 2 ** max(attempts - 1, 0))


class Syncer:
    """Runs ``sync(listing_id)``; one per worker (holds the limiter and the vault)."""

    def __init__(
        self,
        vault: Vault,
        media_dir: Path,
        image_cache: Path | None,
        limiter: RateLimiter,
        policy: Policy | None = None,
        timeout: float = 10.0,
        rng: random.Random | None = None,
        lease: timedelta = LEASE,
    ):
        self.vault = vault
        self.media_dir = media_dir
        self.image_cache = image_cache
        self.limiter = limiter
        self.policy = policy or Policy()
        self.timeout = timeout
        self.rng = rng or random.Random()
        self.lease = lease

    # --- the job ----------------------------------------------------------------------------
    def sync(self, listing_id: int) -> str:
        """Bring one listing in line with the database; returns the outcome's state."""
        token = secrets.token_hex(8)
        with db.transaction() as session:
            if not claim(session, listing_id, token, utcnow(), self.lease):
                return "busy"
            listing = session.get(ChannelListing, listing_id, populate_existing=True)
            if listing is None:
                return "gone"
            session.refresh(listing.account)
            if accounts.is_export(listing.account.channel):
                return self._export(session, listing)
            if listing.account.status != AccountStatus.CONNECTED:
                listing.stuck_revision = product_revision(session, listing.product_id)
                self._finish(
                    session,
                    listing_id,
                    token,
                    ListingState.ATTENTION,
                    error="Kênh bán chưa kết nối hoặc cần kết nối lại: vào Kênh bán, bấm “Kết nối lại”.",
                    stuck=True,
                )
                return ListingState.ATTENTION
            plan = build_plan(session, listing, self.media_dir)
            if plan is None:
                return "gone"
        try:
            return self._run(plan, token)
        except Exception:
            with db.transaction() as session:  # free the lease so a retry can proceed
                self._release(session, listing_id, token)
            raise

    def _run(self, plan: Plan, token: str) -> str:
        try:
            if plan.active:
                problems = self._validate(plan)
                if problems:
                    with db.transaction() as session:
                        self._finish(
                            session,
                            plan.listing_id,
                            token,
                            ListingState.ATTENTION,
                            error="Thiếu hoặc sai thông tin; sửa rồi đăng lại.",
                            problems=problems,
                            plan=plan,
                            stuck=True,
                        )
                    return ListingState.ATTENTION
            for attempt in range(2):  # the second pass only after a token refresh
                adapter = self._adapter(plan)
                try:
                    result = self._apply(plan, adapter, token)
                except AuthExpiredError:
                    if attempt == 1:
                        raise
                    self._refresh(plan)  # a refused refresh raises PermanentError
                    plan = self._replan_tokens(plan)
                    continue
                finally:
                    adapter.close()
                return self._succeeded(plan, token, result)
        except AuthExpiredError:
            return self._failed(
                plan,
                token,
                PermanentError(
                    "Sàn không chấp nhận quyền truy cập của kênh bán: vào Kênh bán, bấm “Kết nối lại”."
                ),
            )
        except AdapterError as exc:
            return self._failed(plan, token, exc)
        except LeaseLost:
            return "busy"
        raise AssertionError("unreachable")

    # --- steps --------------------------------------------------------------------------------
    def _validate(self, plan: Plan) -> list[FieldProblem]:
        adapter = self._adapter(plan)
        try:
            return adapter.validate(plan.data)
        finally:
            adapter.close()

    def _adapter(self, plan: Plan) -> Adapter:
        with db.transaction() as session:
            account = session.get(ChannelAccount, plan.account_id, populate_existing=True)
            assert account is not None
            if accounts.needs_refresh(account, utcnow()):
                account = accounts.refresh_locked(
                    session, account.id, self.vault, account.token_expires_at
                )
            key = bucket_key(account.channel, account.app_key)
            http = LimitedSession(self.limiter, key, max(account.rate_limit, 0.01))
            return accounts.adapter_for(
                account, self.vault, http=http, image_cache=self.image_cache, timeout=self.timeout
            )

    def _refresh(self, plan: Plan) -> None:
        """New tokens (unless another worker just got them); errors propagate typed."""
        with db.transaction() as session:
            accounts.refresh_locked(session, plan.account_id, self.vault, plan.token_expires_at)

    def _replan_tokens(self, plan: Plan) -> Plan:
        from dataclasses import replace

        with db.transaction() as session:
            account = session.get(ChannelAccount, plan.account_id, populate_existing=True)
            assert account is not None
            return replace(plan, token_expires_at=account.token_expires_at)

    def _apply(self, plan: Plan, adapter: Adapter, token: str) -> ListingResult | None:
        """The marketplace calls; returns the listing's new remote state (None: nothing to do)."""
        current = current_result(plan)
        if current is None and plan.create_sent:
            current = adapter.find_by_sku(plan.data.sku)
            if current is not None:
                self._record_external(plan, token, current, "found")
        if plan.state == ListingState.IN_REVIEW and plan.review_ref:
            checked = adapter.status(current or review_result(plan))
            if checked.status == RemoteStatus.PENDING_REVIEW:
                return checked
            self._record_external(plan, token, checked, "reviewed")
            if checked.status == RemoteStatus.REJECTED:
                return checked
            current = checked
        if current is None:
            if not plan.active:
                return None  # never create something only to hide it
            with db.transaction() as session:
                # Renew the lease and mark the create in one guarded write: a worker that lost
                # its lease (it ran too long) must not create what another worker may be creating.
                marked = session.execute(
                    update(ChannelListing)
                    .where(
                        ChannelListing.id == plan.listing_id, ChannelListing.lease_token == token
                    )
                    .values(create_sent=True, lease_until=utcnow() + self.lease)
                )
            if marked.rowcount != 1:  # type: ignore[attr-defined]
                raise LeaseLost
            created = adapter.create(plan.data)
            self._record_external(plan, token, created, "created")
            return created
        if not plan.active:
            if plan.synced_active is False and plan.state == ListingState.DELISTED:
                return None
            return adapter.delist(current)
        content_changed = plan.synced_hash != payload.fingerprint(plan.data)
        if content_changed or plan.synced_active is not True:
            return adapter.update(current, plan.data)
        if (plan.synced_price, plan.synced_stock) != (plan.data.price_vnd, plan.data.stock):
            return adapter.update_price_stock(current, plan.data.price_vnd, plan.data.stock)
        return None

    def _record_external(self, plan: Plan, token: str, result: ListingResult, kind: str) -> None:
        """Store the marketplace's id at once, before anything else can fail."""
        with db.transaction() as session:
            session.execute(
                update(ChannelListing)
                .where(ChannelListing.id == plan.listing_id, ChannelListing.lease_token == token)
                .values(
                    external_id=result.external_id,
                    external_sku_id=result.external_sku_id,
                    review_ref=result.review_ref,
                    url=result.url,
                )
            )
            session.add(
                ListingEvent(
                    listing_id=plan.listing_id,
                    kind=kind,
                    message=f"Mã trên sàn: {result.external_id}",
                )
            )

    # --- outcomes -----------------------------------------------------------------------------
    def _succeeded(self, plan: Plan, token: str, result: ListingResult | None) -> str:
        with db.transaction() as session:
            listing = session.get(ChannelListing, plan.listing_id, populate_existing=True)
            assert listing is not None
            if listing.lease_token != token:
                return "busy"  # another worker took the listing over; its outcome stands
            if result is not None:
                listing.external_id = result.external_id
                listing.external_sku_id = result.external_sku_id or listing.external_sku_id
                listing.review_ref = result.review_ref
                listing.url = result.url or listing.url
            status = result.status if result is not None else None
            if status == RemoteStatus.PENDING_REVIEW:
                state = ListingState.IN_REVIEW
                listing.next_attempt_at = utcnow() + timedelta(seconds=self.policy.base_s)
                # What was sent: once approved, only later changes need another call.
                listing.synced_hash = payload.fingerprint(plan.data)
                listing.synced_price = plan.data.price_vnd
                listing.synced_stock = plan.data.stock
                listing.synced_active = plan.active
            elif status == RemoteStatus.REJECTED:
                self._finish(
                    session,
                    plan.listing_id,
                    token,
                    ListingState.ATTENTION,
                    error=payload.rejected(result.message if result else ""),
                    plan=plan,
                    stuck=True,
                )
                return ListingState.ATTENTION
            elif plan.active:
                state = ListingState.LIVE
            else:
                state = ListingState.DELISTED
            if state != ListingState.IN_REVIEW:
                listing.synced_version = plan.desired_version
                listing.synced_revision = plan.revision
                listing.synced_hash = payload.fingerprint(plan.data)
                listing.synced_price = plan.data.price_vnd
                listing.synced_stock = plan.data.stock
                listing.synced_active = plan.active
                listing.synced_at = utcnow()
                listing.next_attempt_at = None
                if state == ListingState.LIVE and listing.live_at is None:
                    listing.live_at = utcnow()
            listing.state = state
            listing.attempts = 0
            listing.problems = []
            listing.last_error = (
                "" if plan.active else (plan.reason_inactive or _inactive_reason(plan))
            )
            listing.lease_until = None
            listing.lease_token = None
            if result is not None:
                session.add(ListingEvent(listing_id=listing.id, kind=state, message=_says(state)))
        return state

    def _failed(self, plan: Plan, token: str, exc: AdapterError) -> str:
        with db.transaction() as session:
            listing = session.get(ChannelListing, plan.listing_id, populate_existing=True)
            assert listing is not None
            if listing.lease_token != token:
                return "busy"  # another worker took the listing over
            if isinstance(exc, RateLimitedError):
                # Not the listing's fault: back off the whole bucket, do not spend an attempt.
                self.limiter.push_back(bucket_key(plan.channel, plan.app_key), exc.retry_after)
                listing.next_attempt_at = utcnow() + timedelta(seconds=exc.retry_after)
                self._finish(
                    session,
                    plan.listing_id,
                    token,
                    ListingState.RETRYING,
                    error=exc.message,
                    keep_attempts=True,
                )
                return ListingState.RETRYING
            if isinstance(exc, RetryableError):
                listing.attempts += 1
                if listing.attempts >= self.policy.max_attempts:
                    self._finish(
                        session,
                        plan.listing_id,
                        token,
                        ListingState.ATTENTION,
                        error=f"{exc.message} Đã thử {listing.attempts} lần; "
                        "bấm “Thử lại” khi sàn hoạt động bình thường.",
                        plan=plan,
                        stuck=True,
                        keep_attempts=True,
                    )
                    return ListingState.ATTENTION
                delay = self.policy.delay(listing.attempts, self.rng)
                listing.next_attempt_at = utcnow() + timedelta(seconds=delay)
                self._finish(
                    session,
                    plan.listing_id,
                    token,
                    ListingState.RETRYING,
                    error=exc.message,
                    keep_attempts=True,
                )
                return ListingState.RETRYING
            problems = exc.problems if isinstance(exc, PermanentError) else []
            self._finish(
                session,
                plan.listing_id,
                token,
                ListingState.ATTENTION,
                error=exc.message,
                problems=problems,
                plan=plan,
                stuck=True,
            )
            return ListingState.ATTENTION

    def _finish(
        self,
        session: Session,
        listing_id: int,
        token: str,
        state: str,
        *,
        error: str = "",
        problems: list[FieldProblem] | None = None,
        plan: Plan | None = None,
        stuck: bool = False,
        keep_attempts: bool = False,
    ) -> None:
        listing = session.get(ChannelListing, listing_id)
        assert listing is not None
        listing.state = state
        listing.last_error = error
        listing.problems = [p.as_dict() for p in problems or []]
        if not keep_attempts:
            listing.attempts = 0
        if stuck:
            # Parked until something changes (a product edit, "Thử lại"): remember what failed.
            listing.stuck_version = plan.desired_version if plan else listing.desired_version
            if plan is not None:
                listing.stuck_revision = plan.revision
            listing.next_attempt_at = None
        if listing.lease_token == token:
            listing.lease_until = None
            listing.lease_token = None
        session.add(ListingEvent(listing_id=listing_id, kind=state, message=error[:500]))

    def _release(self, session: Session, listing_id: int, token: str) -> None:
        session.execute(
            update(ChannelListing)
            .where(ChannelListing.id == listing_id, ChannelListing.lease_token == token)
            .values(lease_until=None, lease_token=None)
        )

    def _export(self, session: Session, listing: ChannelListing) -> str:
        """Export channels have no API: the listing waits for a person and a pack; a change
        after it was listed by hand says the portal needs the new data."""
        revision = product_revision(session, listing.product_id)
        changed = listing.synced_revision not in (0, revision)
        listing.synced_version = listing.desired_version
        listing.synced_revision = revision
        listing.lease_until = None
        listing.lease_token = None
        if listing.state in (ListingState.LIVE, ListingState.DELISTED):
            if changed:
                listing.last_error = (
                    "Thông tin sản phẩm đã thay đổi sau lần đăng: hãy tải gói mới và cập nhật "
                    "trên cổng người bán."
                )
        else:
            listing.state = ListingState.EXPORT
        return listing.state


def _inactive_reason(plan: Plan) -> str:
    return plan.reason_inactive or "Sản phẩm tạm gỡ khỏi sàn."


def _says(state: str) -> str:
    return {
        ListingState.LIVE: "Đang bán trên sàn.",
        ListingState.IN_REVIEW: "Sàn đang duyệt sản phẩm.",
        ListingState.DELISTED: "Đã gỡ khỏi sàn.",
    }.get(state, state)
