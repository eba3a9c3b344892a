"""Standard Webhooks signing of outbound webhooks, pinned to the spec's published vector."""

import base64

import pytest

from marketplace.payments.outbound import (
    SECRET_PREFIX,
    WebhookVerificationError,
    new_message_id,
    new_secret,
    sign,
    signed_headers,
    verify,
)

# /work/shared/data/payment_vectors.json "standard-webhooks-spec" (the spec's test vector)
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TS = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def _spec_headers(signature: str = SPEC_SIGNATURE, ts: int = SPEC_TS) -> dict[str, str]:
    return {"webhook-id": SPEC_ID, "webhook-timestamp": str(ts), "webhook-signature": signature}


def test_spec_vector():
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY) == SPEC_SIGNATURE
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY.encode()) == SPEC_SIGNATURE
    headers = signed_headers([SPEC_SECRET], SPEC_ID, SPEC_TS, SPEC_BODY)
    assert headers["webhook-signature"] == SPEC_SIGNATURE
    assert (headers["webhook-id"], headers["webhook-timestamp"]) == (SPEC_ID, str(SPEC_TS))
    verify(SPEC_SECRET, _spec_headers(), SPEC_BODY, now=SPEC_TS + 10)


def test_header_names_are_case_insensitive_and_pairs_are_accepted():
    upper = {k.title(): v for k, v in _spec_headers().items()}
    verify(SPEC_SECRET, upper, SPEC_BODY, now=SPEC_TS)
    verify(SPEC_SECRET, list(upper.items()), SPEC_BODY, now=SPEC_TS)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ('{"test": 2432232315}', _spec_headers()),  # body changed
        (SPEC_BODY, _spec_headers() | {"webhook-id": "msg_other"}),  # id changed
        (SPEC_BODY, _spec_headers(ts=SPEC_TS + 1)),  # timestamp changed
        (SPEC_BODY, _spec_headers("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE")),
        (SPEC_BODY, _spec_headers("v2," + SPEC_SIGNATURE[3:])),  # unknown version
        (SPEC_BODY, _spec_headers("")),
        (SPEC_BODY, {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TS)}),
    ],
)
def test_tampering_is_refused(body, headers):
    with pytest.raises(WebhookVerificationError):
        verify(SPEC_SECRET, headers, body, now=SPEC_TS)


def test_wrong_secret_is_refused():
    with pytest.raises(WebhookVerificationError):
        verify(new_secret(), _spec_headers(), SPEC_BODY, now=SPEC_TS)


@pytest.mark.parametrize("skew", [-301, 301, 3600])
def test_stale_or_future_timestamp_is_refused(skew):
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(SPEC_SECRET, _spec_headers(), SPEC_BODY, now=SPEC_TS + skew)


def test_within_tolerance_either_way_is_accepted():
    verify(SPEC_SECRET, _spec_headers(), SPEC_BODY, now=SPEC_TS - 300)
    verify(SPEC_SECRET, _spec_headers(), SPEC_BODY, now=SPEC_TS + 300)
    verify(SPEC_SECRET, _spec_headers(), SPEC_BODY, now=SPEC_TS + 3600, tolerance=3600)


def test_non_numeric_timestamp_is_refused():
    with pytest.raises(WebhookVerificationError):
        verify(SPEC_SECRET, _spec_headers() | {"webhook-timestamp": "soon"}, SPEC_BODY)


def test_rotation_sends_two_signatures_and_each_secret_verifies():
    old, new = SPEC_SECRET, new_secret()
    headers = signed_headers([new, old], SPEC_ID, SPEC_TS, SPEC_BODY)
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and signatures[1] == SPEC_SIGNATURE
    verify(old, headers, SPEC_BODY, now=SPEC_TS)  # a receiver still on the old secret
    verify(new, headers, SPEC_BODY, now=SPEC_TS)  # one that already switched
    with pytest.raises(WebhookVerificationError):
        verify(new_secret(), headers, SPEC_BODY, now=SPEC_TS)


def test_new_secrets_and_ids():
    secret = new_secret()
    assert secret.startswith(SECRET_PREFIX)
    assert len(base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)) >= 24
    assert secret != new_secret()
    message_id = new_message_id()
    assert message_id.startswith("msg_") and len(message_id) <= 40
    assert message_id != new_message_id()


def test_unicode_body_is_signed_as_utf8():
    body = '{"description":"Chè Thái Nguyên"}'
    headers = signed_headers([SPEC_SECRET], SPEC_ID, SPEC_TS, body)
    verify(SPEC_SECRET, headers, body.encode("utf-8"), now=SPEC_TS)
