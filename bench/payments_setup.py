"""Child process of ``bench.payments``: a demo database with N open intents and the signed
SePay webhooks (mangled memos) that pay them, written to a JSON file.

Run as ``python -m bench.payments_setup OUT.json N`` with the bench's environment.
"""

from __future__ import annotations

import base64
import json
import random
import sys
from datetime import timedelta

from sqlalchemy import select

from marketplace.app import create_app
from marketplace.cli import seed_demo_data, upgrade_database
from marketplace.core.crypto import vault_for
from marketplace.core.db import db, utcnow
from marketplace.payments import intents
from marketplace.payments.models import NotificationConnection
from marketplace.payments.providers import sandbox
from producers.models import Producer


def main(out: str, count: int) -> None:
    """Build the data and the requests."""
    app = create_app()
    rng = random.Random(11)
    with app.app_context():
        upgrade_database()
        seed_demo_data()
        producer = db.session.scalar(select(Producer).where(Producer.name == "HTX chè Hảo Đạt"))
        conn = db.session.scalar(
            select(NotificationConnection).where(NotificationConnection.producer_id == producer.id)
        )
        secret = vault_for(app.config).decrypt(conn.secrets_encrypted)[0]
        payee = intents.Payee(producer.bank_bin, producer.bank_account, producer.bank_account_name)
        now = utcnow()
        created = []
        with db.transaction() as session:
            for _ in range(count):
                intent = intents.create_intent(
                    session,
                    purpose="order",
                    amount_vnd=rng.randint(10, 5000) * 1000,
                    payee=payee,
                    now=now,
                    ttl=timedelta(hours=24),
                    producer_id=producer.id,
                    description="Cho OCOP",
                )
                created.append((intent.reference_code, intent.amount_vnd, intent.public_id))
        requests = []
        for n, (code, amount, _pid) in enumerate(created):
            memo = sandbox.mangle_memo(f"{code} Cho OCOP", rng)
            signed = sandbox.signed_webhook(
                "sepay", secret, producer.bank_account, amount, memo, str(50_000_000 + n), now
            )
            requests.append(
                {
                    "path": f"/webhooks/sepay/{conn.token}",
                    "headers": signed.headers,
                    "body": base64.b64encode(signed.body).decode(),
                }
            )
        qr_paths = [f"/qr/{pid}.png" for _c, _a, pid in created[:5]]
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"requests": requests, "qr_paths": qr_paths}, fh)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
