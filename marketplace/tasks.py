"""Every Huey task of the application, imported from one place so a worker registers them all."""

from marketplace.accounts.tasks import mail_password_reset
from marketplace.catalogue.tasks import refresh_certificates
from marketplace.listings.tasks import exchange_code, listings_sweep, sync_listing, sync_products
from marketplace.payments.outbound_tasks import deliver_webhook, webhooks_sweep
from marketplace.payments.tasks import (
    match_transactions,
    payments_sweep,
    recheck_intent,
    simulate_transfer,
)

__all__ = [
    "deliver_webhook",
    "exchange_code",
    "listings_sweep",
    "mail_password_reset",
    "sync_listing",
    "sync_products",
    "match_transactions",
    "payments_sweep",
    "recheck_intent",
    "refresh_certificates",
    "simulate_transfer",
    "webhooks_sweep",
]
