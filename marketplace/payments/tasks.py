"""Payment jobs: reconcile ledger rows, expire intents, the sandbox bank."""

from __future__ import annotations

from huey import crontab

from marketplace.core.db import db, utcnow
from marketplace.core.jobs import huey, with_app

from . import sandbox_bank
from .intents import expire_due
from .matching import match_transaction, pending_ids
from .models import BankTransaction


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


@huey.task()
@with_app
def recheck_account(account: str) -> int:
    """A buyer says they paid: match whatever is pending for the payee's account right away."""

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
