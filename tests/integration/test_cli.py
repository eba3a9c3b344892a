"""The ocop command, run through click against the test's own database."""

import json

from sqlalchemy import select

from marketplace.accounts.models import ApiKey, User
from marketplace.cli import main
from marketplace.core.db import db
from producers.models import Producer


def _run(app, *args, input=None):
    runner = app.test_cli_runner()
    return runner.invoke(main, list(args), input=input)


def test_apikey_create_prints_the_secret_once(demo_app):
    with demo_app.app_context():
        producer_id = db.session.scalar(select(Producer.id).limit(1))
    result = _run(demo_app, "apikey", "create", "--producer", str(producer_id), "--name", "shop")
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[0]
    assert secret.startswith("sk_live_")
    with demo_app.app_context():
        key = db.session.scalar(select(ApiKey))
        assert key.producer_id == producer_id and secret not in key.key_hash
    missing = _run(demo_app, "apikey", "create", "--producer", "99999")
    assert missing.exit_code != 0 and "Không có chủ thể" in missing.output


def test_user_create(demo_app):
    result = _run(
        demo_app,
        "user",
        "create",
        "--email",
        "Admin@Example.VN",
        "--role",
        "admin",
        input="mat-khau-dai-123\nmat-khau-dai-123\n",
    )
    assert result.exit_code == 0, result.output
    with demo_app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "admin@example.vn" and user.password_hash.startswith("$argon2id$")
    short = _run(
        demo_app,
        "user",
        "create",
        "--email",
        "b@example.vn",
        "--role",
        "staff",
        input="ngan\nngan\n",
    )
    assert short.exit_code != 0 and "ít nhất" in short.output


def test_qr_commands_registered(demo_app):
    built = _run(
        demo_app,
        "qr",
        "build",
        "--bin",
        "970436",
        "--account",
        "0011001932418",
        "--amount",
        "150000",
    )
    assert built.exit_code == 0
    parsed = _run(demo_app, "qr", "parse", built.output.strip())
    assert json.loads(parsed.output)["amount"] == 150000
