"""Pull clients against the loopback provider-API simulators."""

from datetime import datetime, timedelta

import pytest
import requests

from marketplace.payments.providers import sandbox
from marketplace.payments.providers.base import VIETNAM_TZ
from marketplace.payments.providers.payos import PayosProvider
from marketplace.payments.providers.pull import (
    CassoClient,
    PayosClient,
    PullClient,
    PullError,
    SepayClient,
)
from marketplace.payments.providers.sandbox_api import ProviderApiSandbox, serve
from marketplace.payments.providers.sepay import SepayProvider

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=VIETNAM_TZ)
SINCE = NOW - timedelta(hours=48)


@pytest.fixture
def api():
    box = ProviderApiSandbox()
    with serve(box) as base_url:
        box.base_url = base_url
        yield box


def test_sepay_maps_like_the_webhook(api):
    api.add_transfer("sepay", "0123456789", 90000, "CT DEN OC1234567", "4711", NOW)
    api.add_transfer("sepay", "9999999999", 5000, "other account", "4712", NOW)
    [pulled] = SepayClient(api.base_url, token=api.sepay_token).recent("0123456789", SINCE)
    hook = sandbox.signed_webhook(
        "sepay", "k", "0123456789", 90000, "CT DEN OC1234567", "4711", NOW
    )
    [pushed] = SepayProvider().parse(hook.body)
    for name in ("provider_transaction_id", "account_number", "amount", "memo", "occurred_at"):
        assert getattr(pulled, name) == getattr(pushed, name), name
    assert pulled.direction == "in" and pulled.raw["amount_in"] == "90000.00"


def test_sepay_wrong_token_is_permanent(api):
    with pytest.raises(PullError) as caught:
        SepayClient(api.base_url, token="wrong").recent("0123456789", SINCE)
    assert not caught.value.retryable and caught.value.status == 401
    assert "credentials were rejected" in str(caught.value)


def test_casso_follows_pages_and_keeps_signs(api):
    for n in range(7):
        api.add_transfer("casso", "0123456789", 1000 + n, f"memo {n}", str(500 + n), NOW)
    client = CassoClient(api.base_url, api_key=api.casso_api_key, page_size=3)
    pulled = client.recent(SINCE)
    assert [t.provider_transaction_id for t in pulled] == [str(500 + n) for n in range(7)]
    assert api.calls["casso"] == 3
    assert {t.account_number for t in pulled} == {"0123456789"}
    assert pulled[0].bank_reference == "FT500" and pulled[0].provider == "casso"


def test_casso_missing_key_is_permanent(api):
    with pytest.raises(PullError) as caught:
        CassoClient(api.base_url, api_key="").recent(SINCE)
    assert (caught.value.retryable, caught.value.status) == (False, 401)


def test_payos_verifies_the_signature_and_matches_the_webhook_key(api):
    api.add_transfer(
        "payos", "0123456789", 2500000, "OC1234567", "FT2632600001", NOW, order_code=42
    )
    client = PayosClient(
        api.base_url,
        client_id=api.payos_client_id,
        api_key=api.payos_api_key,
        checksum_keys=[api.payos_checksum_key],
    )
    [pulled] = client.payments(42)
    hook = sandbox.signed_webhook(
        "payos", "k", "0123456789", 2500000, "OC1234567", "FT2632600001", NOW, order_code=42
    )
    [pushed] = PayosProvider().parse(hook.body)
    assert pulled.provider_transaction_id == pushed.provider_transaction_id
    assert (pulled.provider_link, pulled.amount) == ("42", 2500000)
    forged = PayosClient(
        api.base_url,
        client_id=api.payos_client_id,
        api_key=api.payos_api_key,
        checksum_keys=["not-the-checksum-key"],
    )
    with pytest.raises(PullError, match="signature"):
        forged.payments(42)


def test_payos_wrong_api_key_and_unknown_order(api):
    bad = PayosClient(api.base_url, client_id=api.payos_client_id, api_key="x", checksum_keys=["k"])
    with pytest.raises(PullError) as caught:
        bad.payments(1)
    assert (caught.value.retryable, caught.value.status) == (False, 401)
    good = PayosClient(
        api.base_url,
        client_id=api.payos_client_id,
        api_key=api.payos_api_key,
        checksum_keys=[api.payos_checksum_key],
    )
    with pytest.raises(PullError, match="101"):
        good.payments(1)


class _Answer:
    def __init__(self, status, body=None):
        self.status_code, self._body, self.text = status, body, str(body)

    def json(self):
        if self._body is None:
            raise ValueError("no json")
        return self._body


class _Http:
    def __init__(self, outcome):
        self.outcome = outcome
        self.kwargs = None

    def get(self, url, **kwargs):
        self.kwargs = kwargs
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.mark.parametrize(
    ("outcome", "retryable"),
    [
        (requests.ConnectTimeout("slow"), True),
        (requests.ConnectionError("refused"), True),
        (_Answer(429), True),
        (_Answer(503), True),
        (_Answer(403), False),
        (_Answer(404), False),
        (_Answer(200), False),  # not JSON
    ],
)
def test_error_classes(outcome, retryable):
    http = _Http(outcome)
    with pytest.raises(PullError) as caught:
        PullClient("https://example.invalid", http=http)._get("/x", {}, {})
    assert caught.value.retryable is retryable
    assert http.kwargs["timeout"] == (3.05, 10.0)  # never without a timeout


def test_sepay_rejects_fractional_amounts():
    http = _Http(
        _Answer(
            200,
            {
                "status": 200,
                "messages": {"success": True},
                "transactions": [{"id": "1", "amount_in": "10.50", "amount_out": "0.00"}],
            },
        )
    )
    with pytest.raises(PullError, match="amount_in"):
        SepayClient("https://example.invalid", http=http, token="t").recent("1", SINCE)


def test_payee_set_api_urls_cannot_reach_our_network():
    from datetime import UTC, datetime

    from marketplace.payments.recheck import PullPlan, pull

    def plan(url):
        return PullPlan(1, "sepay", url, {"token": "t"}, (), ("1",), "1", 1, datetime.now(UTC))

    for url, reason in (
        ("http://my.sepay.vn", "https"),
        ("https://127.0.0.1:9", "not a public address"),
    ):
        with pytest.raises(PullError) as err:
            pull(plan(url))
        assert reason in str(err.value) and not err.value.retryable
