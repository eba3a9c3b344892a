"""Every Huey task of the application, imported from one place so a worker registers them all."""

from marketplace.catalogue.tasks import refresh_certificates
from marketplace.payments.tasks import (
    match_transactions,
    payments_sweep,
    recheck_account,
    simulate_transfer,
)

__all__ = [
    "match_transactions",
    "payments_sweep",
    "recheck_account",
    "refresh_certificates",
    "simulate_transfer",
]
