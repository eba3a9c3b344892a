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
    assert missing.exit_code != 0 and "Không tìm thấy chủ thể" in missing.output


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
        user = db.session.scalar(select(User).where(User.email == "admin@example.vn"))
        assert user is not None and user.password_hash.startswith("$argon2id$")
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


def test_demo_logins_are_printed_and_work(demo_app):
    from marketplace.accounts.demo import ADMIN, PRODUCER

    result = _run(demo_app, "seed", "demo")
    assert result.exit_code == 0, result.output
    assert ADMIN[0] in result.output and PRODUCER[1] in result.output
    client = demo_app.test_client()
    response = client.post("/dang-nhap", data={"email": PRODUCER[0], "password": PRODUCER[1]})
    assert response.status_code == 303
    assert client.get("/quan-ly/kenh-ban").status_code == 200
