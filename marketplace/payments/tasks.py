"""Payment jobs: reconcile ledger rows, expire intents, the sandbox bank."""

from __future__ import annotations

from flask import current_app
from huey import crontab
from sqlalchemy import select

from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.core.jobs import huey, with_app

from . import recheck, sandbox_bank
from .intents import expire_due
from .matching import match_transaction, pending_ids
from .models import OPEN_STATUSES, BankTransaction, PaymentIntent
from .providers.pull import PullError


@huey.task(retries=5, retry_delay=2)
@with_app
def match_transactions(transaction_ids: list[int]) -> dict[int, str]:
    """Reconcile new ledger rows, one transaction each (a failure retries only what is left)."""
    outcomes = {}
    for transaction_id in transaction_ids:
        with db.transaction() as session:
            outcomes[transaction_id] = match_transaction(session, transaction_id, utcnow())
    return outcomes


@huey.periodic_task(crontab(minute="*"))
@with_app
def payments_sweep() -> dict[str, int]:
    """Every minute: expire intents whose time ran out, and match rows a lost job left behind."""

    with db.transaction() as session:
        expired = expire_due(session, utcnow())
    with db.transaction() as session:
        pending = pending_ids(session)
    for transaction_id in pending:
        with db.transaction() as session:
            match_transaction(session, transaction_id, utcnow())
    return {"expired": expired, "matched": len(pending)}


@huey.task(retries=2, retry_delay=3)
@with_app
def simulate_transfer(
    public_id: str, base_url: str, amount: int | None = None, seed: int | None = None
) -> int:
    """Demo/sandbox bank: send the webhook the payee's notification service would send for a
    transfer paying ``public_id`` (realistic memo mangling included); returns the HTTP status."""
    return sandbox_bank.send_transfer(public_id, base_url, amount=amount, seed=seed)


@huey.task(retries=2, retry_delay=15)
@with_app
def recheck_intent(public_id: str) -> dict[str, int]:
    """A buyer says they paid: pull the payee's recent transactions from its notification
    service, store the missing ones, then match; a retryable failure retries the job."""
    with db.transaction() as session:
        intent = session.scalar(select(PaymentIntent).where(PaymentIntent.public_id == public_id))
        if intent is None or intent.status not in OPEN_STATUSES:
            return {"new": 0, "failed": 0, "matched": 0}
        account = intent.payee_account
        todo = recheck.plans(session, vault_for(current_app.config), intent, utcnow())
    new_ids: list[int] = []
    failures: list[PullError] = []
    for plan in todo:
        try:
            transfers = recheck.pull(plan, allow_private=_private_allowed())
        except PullError as exc:
            failures.append(exc)
            with db.transaction() as session:
                recheck.record_failure(session, plan, public_id, exc)
            continue
        with db.transaction() as session:
            new_ids += recheck.store(session, plan, transfers, utcnow())
    if new_ids:
        match_transactions(new_ids)
    matched = _match_pending(account)
    retry = next((exc for exc in failures if exc.retryable), None)
    if retry is not None:
        raise retry
    return {"new": len(new_ids), "failed": len(failures), "matched": matched}


def _private_allowed() -> bool:
    """Loopback/private provider URLs: the demo's sandbox APIs, or explicitly allowed."""
    cfg = current_app.config
    return bool(cfg.get("DEMO_MODE") or cfg.get("WEBHOOK_ALLOW_PRIVATE_URLS"))


def _match_pending(account: str) -> int:
    with db.transaction() as session:
        pending = pending_ids(session)
    done = 0
    for transaction_id in pending:
        with db.transaction() as session:
            tx = session.get(BankTransaction, transaction_id)
            if tx is not None and tx.account_number == account:
                match_transaction(session, transaction_id, utcnow())
                done += 1
    return done
