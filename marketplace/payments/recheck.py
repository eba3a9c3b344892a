"""A buyer's "I have paid": ask the payee's notification service for recent transactions.

The view only records the claim and enqueues ``tasks.recheck_intent``; the job reads what to
ask (``plans``, in a transaction), calls the provider outside any transaction (``pull``), then
stores what came back through the same ledger as webhooks (``store``), so a transaction the
webhook also delivers is kept once. A failed pull is logged and written to the audit log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.services import audit
from marketplace.core.crypto import Vault

from . import connections, intents, ledger
from .models import OPEN_STATUSES, NotificationConnection, PaymentIntent
from .outbound_tasks import blocked_destination
from .providers.base import BankTransfer
from .providers.pull import DEFAULT_BASE_URLS, CassoClient, PayosClient, PullError, SepayClient

log = logging.getLogger(__name__)

#: a buyer pressing the button repeatedly re-checks at most this often
RECHECK_INTERVAL = timedelta(seconds=30)
#: how far back a pull looks
PULL_WINDOW = timedelta(hours=48)


@dataclass(frozen=True)
class PullPlan:
    """One provider call to make for one intent (everything the network step needs)."""

    connection_id: int
    provider: str
    base_url: str
    credentials: dict[str, str]
    checksum_keys: tuple[str, ...]
    accounts: tuple[str, ...]
    account: str
    order_code: int
    since: datetime


def claim(session: Session, intent: PaymentIntent, now: datetime) -> bool:
    """Record the buyer's claim; True when a re-check should be enqueued (rate-limited)."""
    if intent.status not in OPEN_STATUSES:
        return False
    previous = intent.buyer_claimed_at
    if previous is not None and timedelta(0) <= now - previous < RECHECK_INTERVAL:
        return False
    intents.record_claim(session, intent, now)
    return True


def plans(session: Session, vault: Vault, intent: PaymentIntent, now: datetime) -> list[PullPlan]:
    """The payee's active connections covering the intent's account that have API credentials."""
    owner = intent.producer_id if intent.purpose == "order" else None
    owned = (
        NotificationConnection.producer_id == owner
        if owner is not None
        else NotificationConnection.producer_id.is_(None)
    )
    found = session.scalars(
        select(NotificationConnection)
        .where(NotificationConnection.active.is_(True), owned)
        .where(NotificationConnection.api_credentials_encrypted.is_not(None))
        .order_by(NotificationConnection.id)
    )
    return [
        PullPlan(
            connection_id=c.id,
            provider=c.provider,
            base_url=c.api_base_url or DEFAULT_BASE_URLS[c.provider],
            credentials=connections.api_credentials(vault, c) or {},
            checksum_keys=tuple(vault.decrypt(c.secrets_encrypted)),
            accounts=tuple(c.account_list),
            account=intent.payee_account,
            order_code=intent.id,
            since=now - PULL_WINDOW,
        )
        for c in found
        if intent.payee_account in c.account_list
    ]


def pull(plan: PullPlan, *, allow_private: bool = False) -> list[BankTransfer]:
    """Call the provider (network; raises PullError); transfers into the plan's accounts only.

    A payee sets the API base URL, and we send its credentials there: production calls only
    https on public addresses (no SSRF into our own network).
    """
    if not allow_private:
        if not plan.base_url.startswith("https://"):
            raise PullError("the provider API must be called over https", retryable=False)
        if problem := blocked_destination(plan.base_url):
            raise PullError(problem, retryable=False)
    creds = plan.credentials
    if plan.provider == "sepay":
        found = SepayClient(plan.base_url, token=creds["token"]).recent(plan.account, plan.since)
    elif plan.provider == "casso":
        found = CassoClient(plan.base_url, api_key=creds["api_key"]).recent(plan.since)
    elif plan.provider == "payos":
        client = PayosClient(
            plan.base_url,
            client_id=creds["client_id"],
            api_key=creds["api_key"],
            checksum_keys=plan.checksum_keys,
        )
        found = client.payments(plan.order_code)
    else:
        raise PullError(f"{plan.provider} cannot be asked to re-check", retryable=False)
    return [t for t in found if t.account_number in plan.accounts]


def store(
    session: Session, plan: PullPlan, transfers: list[BankTransfer], now: datetime
) -> list[int]:
    """Put pulled transfers in the ledger (raw record kept); the ids of rows that are new."""
    connection = session.get(NotificationConnection, plan.connection_id)
    return ledger.record(session, transfers, now, connection)


def record_failure(session: Session, plan: PullPlan, public_id: str, error: PullError) -> None:
    """Make a failed pull visible: a log line and an audit row on the connection."""
    log.warning(
        "re-check of %s via %s connection %s failed (%s): %s",
        public_id,
        plan.provider,
        plan.connection_id,
        "will retry" if error.retryable else "permanent",
        error,
    )
    audit(
        session,
        actor="recheck",
        action="connection.pull_failed",
        object_type="notification_connection",
        object_id=plan.connection_id,
        detail={
            "intent": public_id,
            "provider": plan.provider,
            "error": str(error)[:300],
            "retryable": error.retryable,
            "status": error.status,
        },
    )
