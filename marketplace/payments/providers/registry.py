"""The bank-notification providers by their code, as stored on a payee's connection."""

from __future__ import annotations

from .base import Provider
from .casso import CassoProvider
from .payos import PayosProvider
from .sepay import SepayProvider

PROVIDERS: dict[str, Provider] = {
    "sepay": SepayProvider(),
    "casso": CassoProvider(),
    "payos": PayosProvider(),
}


def get_provider(code: str) -> Provider:
    """The provider for ``code``; KeyError naming the known codes otherwise."""
    try:
        return PROVIDERS[code]
    except KeyError:
        raise KeyError(
            f"unknown payment provider {code!r}; known: {', '.join(PROVIDERS)}"
        ) from None
