"""The API fuzzed from its own OpenAPI document (schemathesis, in-process over WSGI).

Every operation gets schema-valid and schema-violating requests (a small, fixed budget: the
run stays well under a minute). Checked: no 5xx; status codes, content types, headers and
bodies as documented; and nothing half-written: a refused request adds no payment intent,
every intent has its creation event, and no idempotency key is left "in flight".

Left out on purpose: schemathesis's "valid data must be accepted" (the document is looser
than the handlers on a few free-text parameters, e.g. an unknown ``group`` or a cursor that
is not in the result is a 400 naming the parameter) and "invalid data must be rejected"
(unknown query parameters are ignored, as Stripe does).
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import quote

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks
from schemathesis.generation import GenerationMode
from sqlalchemy import func, select

from marketplace.accounts.models import IdempotencyKey
from marketplace.accounts.services import create_api_key
from marketplace.core.db import db
from marketplace.payments.models import PaymentEvent, PaymentIntent
from producers.models import Producer

EXAMPLES = 15
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _state(app) -> tuple[int, int, int]:
    """(intents, intents without a creation event, keys still in flight)."""
    with app.app_context():
        session = db.session
        intents = session.scalar(select(func.count()).select_from(PaymentIntent))
        orphans = session.scalar(
            select(func.count())
            .select_from(PaymentIntent)
            .where(
                ~select(PaymentEvent.id).where(PaymentEvent.intent_id == PaymentIntent.id).exists()
            )
        )
        in_flight = session.scalar(
            select(func.count()).select_from(IdempotencyKey).where(IdempotencyKey.state != "done")
        )
        return intents, orphans, in_flight


def test_api_survives_fuzzing_from_its_openapi_document(demo_app):
    with demo_app.app_context():
        producer_id = db.session.scalar(select(Producer.id).order_by(Producer.id))
        _, secret = create_api_key(db.session, producer_id, "fuzz")
        db.commit()
    # identity: schemathesis's WSGI client does not undo Flask-Compress's gzip
    headers = {"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    failures: list[str] = []

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(demo_app, operation, mode, headers, failures)
    assert not failures, "\n\n".join(failures[:10])


def _fuzz(app, operation, mode, headers: dict[str, str], failures: list[str]) -> None:
    """Run one operation in one generation mode, collecting failures."""

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def call(case) -> None:
        before = _state(app)
        try:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)
        except BaseException as exc:  # a FailureGroup is a BaseExceptionGroup
            failures.append(f"{operation.label} ({mode.value}): {exc}"[:1500])
            return
        intents, orphans, in_flight = _state(app)
        added = intents - before[0]
        if orphans or in_flight:
            failures.append(f"{operation.label}: half-written ({orphans}, {in_flight})")
        if response.status_code >= 400 and added:
            failures.append(f"{operation.label}: refused but wrote {added} intent(s)")
        if added not in (0, 1):
            failures.append(f"{operation.label}: one request made {added} intents")

    # Unsatisfiable: nothing to make invalid (an operation without inputs)
    with contextlib.suppress(Unsatisfiable):
        call()


#: values that broke or could break hand-written parsing: Unicode digits that ``int()``
#: refuses, numbers beyond the database's integers, NUL, over-long text
NASTY = ["²", "٣", "99999999999999999999999", "2147483648", "-1", "\x00", "a" * 5000, "1e3"]


def test_every_documented_parameter_survives_nasty_values(demo_app):
    with demo_app.app_context():
        producer_id = db.session.scalar(select(Producer.id).order_by(Producer.id))
        _, secret = create_api_key(db.session, producer_id, "fuzz")
        db.commit()
    client = demo_app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    spec = client.get("/api/v1/openapi.json").get_json()
    errors = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            params = [p for p in operation.get("parameters", []) if p["in"] in ("query", "path")]
            for param in params:
                for value in NASTY:
                    url = "/api/v1" + re.sub(r"\{[^}]+\}", "1", path)
                    if param["in"] == "path":
                        url = "/api/v1" + path.replace("{" + param["name"] + "}", quote(value, ""))
                        url = re.sub(r"\{[^}]+\}", "1", url)
                        query = {}
                    else:
                        query = {param["name"]: value}
                    body = {"amount": value} if method == "post" else None
                    response = client.open(
                        url, method=method.upper(), query_string=query, headers=headers, data=body
                    )
                    if response.status_code >= 500:
                        errors.append(f"{method.upper()} {url} {param['name']}={value[:20]!r}")
    for value in NASTY:  # the create form's fields too
        for field in ("amount", "expires_in", "description"):
            response = client.post(
                "/api/v1/payment_intents", data={"amount": "1000", field: value}, headers=headers
            )
            if response.status_code >= 500:
                errors.append(f"POST /payment_intents {field}={value[:20]!r}")
            as_json = client.post(
                "/api/v1/payment_intents", json={"amount": 1000, field: value}, headers=headers
            )
            if as_json.status_code >= 500:
                errors.append(f"POST /payment_intents JSON {field}={value[:20]!r}")
    assert not errors, errors
