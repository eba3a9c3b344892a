"""Bank-notification providers (SePay, Casso, payOS): verify a webhook, parse its transfers.

Pure library code: no Flask, no database. The webhook view passes the raw request here and
hands the resulting ``BankTransfer`` dataclasses to the payments services.
"""

from .base import BankTransfer, PayloadError, Provider, ProviderError, SignatureError
from .registry import PROVIDERS, get_provider

__all__ = [
    "PROVIDERS",
    "BankTransfer",
    "PayloadError",
    "Provider",
    "ProviderError",
    "SignatureError",
    "get_provider",
]
