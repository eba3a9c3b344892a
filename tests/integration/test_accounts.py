"""Accounts: login by email or phone, rate limits, CSRF, security headers, invitations (link
and QR), password resets (shown to an admin, or mailed through SMTP), the audit trail, and the
demo logins.

Requests run outside any app context (Flask would otherwise reuse the test's context and its
logged-in user between clients); database work runs inside ``with app.app_context():``."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import re
import socketserver
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from marketplace.accounts.demo import LOGINS
from marketplace.accounts.models import AuditLog, Invitation, PasswordReset, User, UserScope
from marketplace.app import create_app
from marketplace.cli import main
from marketplace.core.db import db, utcnow
from producers.models import Producer

MEMBER = next(d for d in LOGINS if d.producer_role == "member")
OWNER = next(d for d in LOGINS if d.producer_role == "owner")
ADMIN = next(d for d in LOGINS if d.role == "admin")
ONBOARDER = next(d for d in LOGINS if d.role == "onboarder")
NEW_PASSWORD = "mat-khau-moi-du-dai"


def login(client, name, password, status=303):
    response = client.post("/dang-nhap", data={"login": name, "password": password})
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def demo_producer(app) -> Producer:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == OWNER.email))
        return db.session.get(Producer, user.producer_id)


@pytest.fixture
def variant_app(demo_app, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Make other apps on the same database with some settings changed (closed afterwards)."""
    made: list[Flask] = []

    def make(**overrides: object) -> Flask:
        config = {
            k: demo_app.config[k] for k in ("DATABASE_URL", "MEDIA_DIR", "SECRET_KEY", "TESTING")
        }
        config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, SERVER_NAME=None)
        config.update(overrides)
        made.append(create_app(config, instance_path=tmp_path / f"variant{len(made)}"))
        return made[-1]

    yield make
    for app in made:
        app.extensions["ocop_db"].dispose()


# --- login -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [MEMBER.email, MEMBER.email.upper(), "0912345001", "+84 912 345 001", "0912.345.001"]
)
def test_login_by_email_or_phone(demo_app, name):
    client = demo_app.test_client()
    login(client, name, MEMBER.password)
    assert client.get("/quan-ly").status_code == 200


def test_bad_credentials_look_the_same_and_write_nothing(demo_app):
    client = demo_app.test_client()
    before = count(demo_app, AuditLog)
    wrong = login(client, OWNER.email, "sai-mat-khau-roi", status=401).get_data(as_text=True)
    unknown = login(client, "khong-co@example.vn", "sai-mat-khau-roi", status=401)
    bad_phone = login(client, "0123", "sai-mat-khau-roi", status=401)
    message = (
        "Email/số điện thoại hoặc mật khẩu không đúng. Kiểm tra lại, hoặc bấm “Quên mật khẩu?”."
    )
    assert message in wrong and message in unknown.get_data(as_text=True)
    assert message in bad_phone.get_data(as_text=True)
    assert count(demo_app, AuditLog) == before
    assert client.get("/quan-ly").status_code == 302


def test_inactive_user_cannot_log_in(demo_app):
    with demo_app.app_context():
        db.session.scalar(select(User).where(User.email == MEMBER.email)).active = False
        db.commit()
    login(demo_app.test_client(), MEMBER.email, MEMBER.password, status=401)


def test_login_next_stays_on_site(demo_app):
    client = demo_app.test_client()
    for target, expected in (("/quan-ly/phi", "/quan-ly/phi"), ("//evil.example", "/quan-ly")):
        response = client.post(
            f"/dang-nhap?next={target}", data={"login": OWNER.email, "password": OWNER.password}
        )
        assert response.headers["Location"] == expected


def test_login_is_rate_limited_per_address_and_per_login(demo_app, variant_app):
    limited = variant_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = [
        client.post("/dang-nhap", data={"login": f"x{i}@example.vn", "password": "x"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    # one login attacked from many addresses
    statuses = [
        client.post(
            "/dang-nhap",
            data={"login": OWNER.email, "password": "sai-mat-khau"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    assert client.get("/dang-nhap").status_code == 200  # reading the page is not limited
    # the reset form too
    forgot = [
        client.post(
            "/quen-mat-khau", data={"login": "a@b.vn"}, environ_base={"REMOTE_ADDR": "10.1.1.1"}
        ).status_code
        for _ in range(6)
    ]
    assert forgot[:5] == [200] * 5 and forgot[5] == 429


def test_csrf_is_required_on_forms(demo_app, variant_app):
    guarded = variant_app(WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    data = {"login": OWNER.email, "password": OWNER.password}
    refused = client.post("/dang-nhap", data=data)
    assert refused.status_code == 400 and "Phiên làm việc" in refused.get_data(as_text=True)
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/dang-nhap", data={**data, "csrf_token": token}).status_code == 303
    # every signed-in form carries the token
    users_page = client.get("/quan-ly/nguoi-dung").get_data(as_text=True)
    assert users_page.count('name="csrf_token"') >= 2
    assert client.post("/quan-ly/nguoi-dung/loi-moi", data={}).status_code == 400


def test_security_headers_and_hsts_behind_tls_only(demo_app, variant_app):
    client = demo_app.test_client()
    plain = client.get("/dang-nhap")
    assert "frame-ancestors 'none'" in plain.headers["Content-Security-Policy"]
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert plain.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in plain.headers
    assert (
        "max-age="
        in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    )
    # X-Forwarded-Proto counts only behind a configured proxy
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" not in client.get("/", headers=forwarded).headers
    proxied = variant_app(PROXY_COUNT=1).test_client()
    assert "Strict-Transport-Security" in proxied.get("/", headers=forwarded).headers


# --- invitations -------------------------------------------------------------------------


def _shown_link(page: str) -> tuple[str, bytes]:
    link = re.search(r'data-copy="(http[^"]+)"', page).group(1)
    png = re.search(r'href="data:image/png;base64,([^"]+)"', page).group(1)
    assert 'src="data:image/svg+xml;base64,' in page
    return link, base64.b64decode(png)


def _decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_admin_invites_staff_with_a_scope_by_link_and_qr(demo_app):
    producer = demo_producer(demo_app)
    admin = demo_app.test_client()
    login(admin, ADMIN.email, ADMIN.password)
    page = admin.post(
        "/quan-ly/nguoi-dung/loi-moi",
        data={"role": "staff", "scope_province": producer.province_code, "note": "Chị Lan"},
    )
    assert page.status_code == 200
    link, png = _shown_link(page.get_data(as_text=True))
    assert _decode_qr(png) == link and "/moi/" in link
    with demo_app.app_context():
        invitation = db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))
        token = link.rsplit("/", 1)[1]
        assert invitation.token_hash != token and token not in invitation.token_hash
        assert invitation.scopes == [{"province_code": producer.province_code}]
    path = "/moi/" + token
    guest = demo_app.test_client()
    form = guest.get(path)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert "Cán bộ quản lý" in form.get_data(as_text=True)
    mismatch = guest.post(
        path,
        data={"name": "Lan", "phone": "0987 654 321", "password": "a" * 12, "password2": "b" * 12},
    )
    assert mismatch.status_code == 400 and "0987 654 321" in mismatch.get_data(as_text=True)
    bad_phone = guest.post(
        path, data={"name": "Lan", "phone": "12345", "password": "a" * 12, "password2": "a" * 12}
    )
    assert bad_phone.status_code == 400 and "Số điện thoại" in bad_phone.get_data(as_text=True)
    page = bad_phone.get_data(as_text=True)  # the message stands next to its field too
    assert 'id="f-phone"' in page and 'aria-describedby="e-phone"' in page
    assert '<span class="field-error" id="e-phone">' in page and 'href="#f-phone"' in page
    assert count(demo_app, User, User.name == "Lan") == 0
    done = guest.post(
        path,
        data={"name": "Lan", "phone": "0987 654 321", "password": "a" * 12, "password2": "a" * 12},
    )
    assert done.status_code == 303 and guest.get("/quan-ly").status_code == 200
    with demo_app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "0987654321"))
        assert user.role == "staff" and user.email.endswith(".invalid")
        scopes = db.session.scalars(select(UserScope).where(UserScope.user_id == user.id)).all()
        assert [(s.province_code, s.commune_code) for s in scopes] == [
            (producer.province_code, None)
        ]
        spent = db.session.get(Invitation, invitation.id)
        assert spent.used_at is not None and spent.used_by_user_id == user.id
    # a phone-only login works
    login(demo_app.test_client(), "0987654321", "a" * 12)
    again = demo_app.test_client().get(path)
    assert again.status_code == 409 and "đã được dùng" in again.get_data(as_text=True)
    reuse = demo_app.test_client().post(
        path, data={"name": "X", "phone": "0987654322", "password": "a" * 12, "password2": "a" * 12}
    )
    assert reuse.status_code == 409 and count(demo_app, User, User.phone == "0987654322") == 0
    assert demo_app.test_client().get("/moi/khong-co-that").status_code == 404


def test_expired_invitation_says_so(demo_app):
    admin = demo_app.test_client()
    login(admin, ADMIN.email, ADMIN.password)
    page = admin.post("/quan-ly/nguoi-dung/loi-moi", data={"role": "admin"})
    link, _ = _shown_link(page.get_data(as_text=True))
    with demo_app.app_context():
        invitation = db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))
        invitation.expires_at = utcnow() - timedelta(seconds=1)
        db.commit()
    gone = demo_app.test_client().get(link.split("localhost", 1)[1])
    assert gone.status_code == 409 and "hết hạn" in gone.get_data(as_text=True)


def test_owner_invites_members_of_their_own_producer_only(demo_app):
    producer = demo_producer(demo_app)
    other = None
    with demo_app.app_context():
        other = db.session.scalar(select(Producer.id).where(Producer.id != producer.id).limit(1))
    owner = demo_app.test_client()
    login(owner, OWNER.email, OWNER.password)
    # whatever the form says, an owner's invitation is for a member of their producer
    page = owner.post(
        "/quan-ly/nguoi-dung/loi-moi",
        data={"role": "admin", "producer_id": str(other), "producer_role": "owner"},
    )
    assert page.status_code == 200
    link, _ = _shown_link(page.get_data(as_text=True))
    with demo_app.app_context():
        invitation = db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))
        assert (invitation.role, invitation.producer_id, invitation.producer_role) == (
            "producer",
            producer.id,
            "member",
        )
        row = db.session.scalar(
            select(AuditLog)
            .where(AuditLog.action == "invitation.create")
            .order_by(AuditLog.id.desc())
        )
        assert row.on_behalf_of_producer_id == producer.id and row.actor == OWNER.email
    guest = demo_app.test_client()
    guest.post(
        link.split("localhost", 1)[1],
        data={
            "name": "Anh Tư",
            "email": "tu@example.vn",
            "password": "b" * 12,
            "password2": "b" * 12,
        },
    )
    with demo_app.app_context():
        tu = db.session.scalar(select(User).where(User.email == "tu@example.vn"))
        assert (tu.role, tu.producer_id, tu.producer_role) == ("producer", producer.id, "member")
        accepted = db.session.scalar(select(AuditLog).where(AuditLog.action == "invitation.accept"))
        assert accepted.on_behalf_of_producer_id == producer.id
    # members manage nobody
    assert guest.get("/quan-ly/nguoi-dung").status_code == 403
    assert guest.post("/quan-ly/nguoi-dung/loi-moi", data={}).status_code == 403
    # the owner sees and can lock their member, not other producers' people
    listing = owner.get("/quan-ly/nguoi-dung").get_data(as_text=True)
    assert "tu@example.vn" in listing and ADMIN.email not in listing
    assert (
        owner.post(f"/quan-ly/nguoi-dung/{tu.id}/trang-thai", data={"active": "0"}).status_code
        == 303
    )
    with demo_app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.email == ADMIN.email))
    assert (
        owner.post(f"/quan-ly/nguoi-dung/{admin_id}/trang-thai", data={"active": "0"}).status_code
        == 404
    )
    login(demo_app.test_client(), "tu@example.vn", "b" * 12, status=401)


def test_onboarder_invites_owners_in_their_commune_only(demo_app):
    producer = demo_producer(demo_app)
    with demo_app.app_context():
        outside = db.session.scalar(
            select(Producer.id).where(Producer.commune_code != producer.commune_code).limit(1)
        )
    helper = demo_app.test_client()
    login(helper, ONBOARDER.email, ONBOARDER.password)
    before = count(demo_app, Invitation)
    refused = helper.post(
        "/quan-ly/nguoi-dung/loi-moi",
        data={"role": "producer", "producer_id": str(outside), "producer_role": "owner"},
    )
    assert refused.status_code == 400 and count(demo_app, Invitation) == before
    staff = helper.post(
        "/quan-ly/nguoi-dung/loi-moi",
        data={"role": "staff", "scope_commune": producer.commune_code},
    )
    assert staff.status_code == 400 and count(demo_app, Invitation) == before
    ok = helper.post(
        "/quan-ly/nguoi-dung/loi-moi",
        data={"role": "producer", "producer_id": str(producer.id), "producer_role": "owner"},
    )
    assert ok.status_code == 200 and count(demo_app, Invitation) == before + 1
    with demo_app.app_context():
        row = db.session.scalar(
            select(AuditLog)
            .where(AuditLog.action == "invitation.create")
            .order_by(AuditLog.id.desc())
        )
        assert row.actor == ONBOARDER.email and row.on_behalf_of_producer_id == producer.id


def test_admin_creates_a_scoped_onboarder_directly(demo_app):
    producer = demo_producer(demo_app)
    admin = demo_app.test_client()
    login(admin, ADMIN.email, ADMIN.password)
    data = {"role": "onboarder", "email": "hoa@example.vn", "name": "Hoa", "password": "c" * 12}
    missing = admin.post("/quan-ly/nguoi-dung/tao", data=data)
    assert missing.status_code == 400 and count(demo_app, User, User.email == "hoa@example.vn") == 0
    assert 'value="hoa@example.vn"' in missing.get_data(as_text=True)
    done = admin.post(
        "/quan-ly/nguoi-dung/tao", data={**data, "scope_commune": producer.commune_code}
    )
    assert done.status_code == 303
    with demo_app.app_context():
        hoa = db.session.scalar(select(User).where(User.email == "hoa@example.vn"))
        scope = db.session.scalar(select(UserScope).where(UserScope.user_id == hoa.id))
        assert scope.commune_code == producer.commune_code
    helper = demo_app.test_client()
    login(helper, "hoa@example.vn", "c" * 12)
    assert helper.get("/quan-ly/nguoi-dung").status_code == 200
    assert helper.post("/quan-ly/nguoi-dung/tao", data=data).status_code == 403


# --- password resets ---------------------------------------------------------------------


def test_reset_request_is_neutral_and_the_admin_passes_the_link_on(demo_app):
    guest = demo_app.test_client()
    known = guest.post("/quen-mat-khau", data={"login": "0912 345 001"}).get_data(as_text=True)
    unknown = guest.post("/quen-mat-khau", data={"login": "0999999999"}).get_data(as_text=True)
    assert known == unknown and "Đã nhận yêu cầu" in known
    assert count(demo_app, PasswordReset) == 0
    admin = demo_app.test_client()
    login(admin, ADMIN.email, ADMIN.password)
    page = admin.get("/quan-ly/nguoi-dung").get_data(as_text=True)
    pending = page.split('data-testid="pending-resets"', 1)[1].split("</table>", 1)[0]
    assert MEMBER.phone in pending
    with demo_app.app_context():
        member_id = db.session.scalar(select(User.id).where(User.email == MEMBER.email))
    shown = admin.post(f"/quan-ly/nguoi-dung/{member_id}/dat-lai-mat-khau")
    link, png = _shown_link(shown.get_data(as_text=True))
    assert _decode_qr(png) == link
    assert 'data-testid="pending-resets"' not in admin.get("/quan-ly/nguoi-dung").get_data(
        as_text=True
    )
    path = link.split("localhost", 1)[1]
    assert guest.get(path).status_code == 200
    short = guest.post(path, data={"password": "ngan", "password2": "ngan"})
    assert short.status_code == 400 and "ít nhất" in short.get_data(as_text=True)
    done = guest.post(path, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 303 and "reset=1" in done.headers["Location"]
    login(demo_app.test_client(), MEMBER.phone, NEW_PASSWORD)
    login(demo_app.test_client(), MEMBER.phone, MEMBER.password, status=401)
    used = guest.get(path)
    assert used.status_code == 409 and "đã được dùng" in used.get_data(as_text=True)
    with demo_app.app_context():
        actions = db.session.scalars(
            select(AuditLog.action).where(
                AuditLog.object_type == "user", AuditLog.object_id == str(member_id)
            )
        ).all()
        assert {
            "password_reset.request",
            "password_reset.create",
            "password_reset.complete",
        } <= set(actions)


def test_reset_link_expires_after_an_hour_and_a_newer_link_replaces_it(demo_app):
    from marketplace.accounts import resets

    with demo_app.app_context():
        user = db.session.scalar(select(User).where(User.email == OWNER.email))
        _, old = resets.create_reset(db.session, user, utcnow() - timedelta(hours=1, seconds=1))
        _, first = resets.create_reset(db.session, user, utcnow())
        _, second = resets.create_reset(db.session, user, utcnow())
        db.commit()
    client = demo_app.test_client()
    assert client.get(f"/dat-lai-mat-khau/{first}").status_code == 409  # replaced
    gone = client.get(f"/dat-lai-mat-khau/{old}")
    assert gone.status_code == 409 and "hết hạn" in gone.get_data(as_text=True)
    assert client.get(f"/dat-lai-mat-khau/{second}").status_code == 200
    assert client.get("/dat-lai-mat-khau/khong-co").status_code == 404


class FakeSmtp:
    """A loopback SMTP server just big enough for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 fake ESMTP")
                lines: list[bytes] | None = None
                while raw := self.rfile.readline():
                    if lines is not None:
                        if raw in (b".\r\n", b".\n"):
                            outer.messages.append(
                                email.message_from_bytes(
                                    b"".join(lines), policy=email.policy.default
                                )
                            )
                            lines = None
                            self.reply("250 queued")
                        else:
                            lines.append(raw[1:] if raw.startswith(b"..") else raw)
                        continue
                    verb = raw[:4].upper()
                    if verb == b"EHLO":
                        self.reply("250-fake")
                        self.reply("250-8BITMIME")
                        self.reply("250 AUTH PLAIN")
                    elif verb == b"AUTH":
                        outer.logins.append(base64.b64decode(raw.split()[-1]).decode())
                        self.reply("235 ok")
                    elif verb == b"DATA":
                        lines = []
                        self.reply("354 go on")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    server = FakeSmtp()
    yield server
    server.close()


def test_reset_link_is_mailed_when_smtp_is_configured(demo_app, variant_app, smtp):
    mailing = variant_app(
        SMTP_URL=f"smtp://ocop:s%40cret@127.0.0.1:{smtp.port}",
        MAIL_FROM="Chợ OCOP <no-reply@cho.example>",
        PUBLIC_BASE_URL="https://cho.example",
    )
    guest = mailing.test_client()
    answer = guest.post("/quen-mat-khau", data={"login": OWNER.email.upper()})
    assert answer.status_code == 200 and "Đã nhận yêu cầu" in answer.get_data(as_text=True)
    assert len(smtp.messages) == 1 and smtp.logins == ["\0ocop\0s@cret"]
    message = smtp.messages[0]
    assert message["To"] == OWNER.email and "đặt lại mật khẩu" in message["Subject"]
    link = re.search(r"https://cho\.example(/dat-lai-mat-khau/\S+)", message.get_content()).group(1)
    done = guest.post(link, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 303
    login(mailing.test_client(), OWNER.email, NEW_PASSWORD)
    # mailed requests do not wait for an admin; phone-only logins still do
    with mailing.app_context():
        from marketplace.accounts.resets import pending_requests

        assert pending_requests(db.session, utcnow()) == []
    guest.post("/quen-mat-khau", data={"login": "khong-co@example.vn"})
    assert len(smtp.messages) == 1


def test_mail_failure_leaves_the_answer_neutral(demo_app, variant_app):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailing = variant_app(SMTP_URL=f"smtp://127.0.0.1:{port}")

    answer = mailing.test_client().post("/quen-mat-khau", data={"login": OWNER.email})
    assert answer.status_code == 200 and "Đã nhận yêu cầu" in answer.get_data(as_text=True)


# --- CLI and demo logins -----------------------------------------------------------------


def test_cli_user_create_with_phone_and_scopes(demo_app):
    producer = demo_producer(demo_app)
    runner = demo_app.test_cli_runner()
    result = runner.invoke(
        main,
        [
            "user", "create", "--phone", "+84 977 000 111", "--role", "onboarder",
            "--commune", producer.commune_code, "--province", producer.province_code,
        ],
        input="mat-khau-dai-123\nmat-khau-dai-123\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0977000111" in result.output
    with demo_app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "0977000111"))
        rows = db.session.scalars(select(UserScope).where(UserScope.user_id == user.id)).all()
        assert {(r.province_code, r.commune_code) for r in rows} == {
            (None, producer.commune_code),
            (producer.province_code, None),
        }
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.create"))
        assert audit.actor == "cli"
    unscoped = runner.invoke(
        main, ["user", "create", "--email", "s@example.vn", "--role", "staff"],
        input="mat-khau-dai-123\nmat-khau-dai-123\n",
    )  # fmt: skip
    assert unscoped.exit_code != 0 and "--province" in unscoped.output
    assert count(demo_app, User, User.email == "s@example.vn") == 0


def test_demo_has_one_login_per_role_around_the_demo_producer(demo_app):
    producer = demo_producer(demo_app)
    with demo_app.app_context():
        users = {
            u.email: u
            for u in db.session.scalars(select(User).where(User.email.like("%@demo.ocop.vn")))
        }
        assert {(u.role, u.producer_role) for u in users.values()} == {
            ("admin", None),
            ("staff", None),
            ("onboarder", None),
            ("producer", "owner"),
            ("producer", "member"),
        }
        scopes = {
            users_email: [(s.province_code, s.commune_code) for s in rows]
            for users_email, rows in (
                (u.email, db.session.scalars(select(UserScope).where(UserScope.user_id == u.id)))
                for u in users.values()
            )
        }
        assert scopes["canbo@demo.ocop.vn"] == [(producer.province_code, None)]
        assert scopes["congnghe@demo.ocop.vn"] == [(None, producer.commune_code)]
    for demo in LOGINS:
        login(demo_app.test_client(), demo.phone or demo.email, demo.password)


def test_mail_settings_are_checked(tmp_path):
    from marketplace import config
    from marketplace.accounts import mail

    production = {"ENV": "production", "SECRET_KEY": "x", "ENCRYPTION_KEYS": "k"}
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        config.finalize({**production, "SMTP_URL": "smtp://mail.example:587"}, tmp_path)
    config.finalize(
        {**production, "SMTP_URL": "smtp://m.example", "PUBLIC_BASE_URL": "https://x"}, tmp_path
    )
    with pytest.raises(mail.MailError, match="smtp://"):
        mail.send("http://mail.example", "a@b.vn", mail.Mail("c@d.vn", "s", "b"))
