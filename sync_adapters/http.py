"""One way to send a request: timeouts always, and transport failures turned into typed errors."""

from __future__ import annotations

import random
import time
from typing import Any

import requests

from .base import RateLimitedError, RetryableError

#: extra tries for an idempotent call that hit a timeout or a 5xx, and the pause before each
SAFE_RETRIES = 2
SAFE_RETRY_PAUSE_S = 0.2


def send(
    http: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    idempotent: bool = True,
    **kwargs: Any,
) -> requests.Response:
    """``http.request`` that raises ``RetryableError`` for timeouts, connection errors and 5xx,
    and ``RateLimitedError`` for HTTP 429 (``Retry-After`` honoured); other answers return.

    An idempotent call (a read, an upload, setting absolute values) is tried again at once up
    to SAFE_RETRIES times: a transient 5xx should not cost the whole sync a backoff. A create,
    a code exchange or a rotating-token refresh passes ``idempotent=False``: repeating it
    could duplicate an item or burn a single-use token, so the engine decides instead."""
    tries = 1 + (SAFE_RETRIES if idempotent else 0)
    for attempt in range(1, tries + 1):
        try:
            return _send_once(http, method, url, timeout=timeout, **kwargs)
        except RateLimitedError:
            raise
        except RetryableError:
            if attempt == tries:
                raise
            time.sleep(SAFE_RETRY_PAUSE_S * attempt * random.uniform(0.5, 1.0))
    raise AssertionError("unreachable")


def _send_once(
    http: requests.Session, method: str, url: str, *, timeout: float, **kwargs: Any
) -> requests.Response:
    try:
        response = http.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout as exc:
        raise RetryableError("Sàn không trả lời kịp (hết thời gian chờ).", raw=str(exc)) from exc
    except requests.ConnectionError as exc:
        raise RetryableError("Không kết nối được tới sàn.", raw=str(exc)) from exc
    if response.status_code == 429:
        raise RateLimitedError(
            "Sàn báo gọi quá nhanh; sẽ thử lại sau.",
            retry_after=retry_after_seconds(response, default=1.0),
            raw=_body(response),
        )
    if response.status_code >= 500:
        raise RetryableError(
            f"Sàn gặp lỗi tạm thời (HTTP {response.status_code}).", raw=_body(response)
        )
    return response


def retry_after_seconds(response: requests.Response, *, default: float) -> float:
    """The ``Retry-After`` header in seconds (numbers only), else ``default``."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return default


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:2000]
