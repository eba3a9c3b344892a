"""The public forms fuzzed with Hypothesis: login, invitation acceptance, password reset (and
its request), checkout. Whatever is typed: never a 5xx, and either the whole thing happened
or nothing was written (no user without its invitation spent, no order without its items and
payment, no spent link without the new password)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace.accounts import invitations, resets
from marketplace.accounts.demo import LOGINS
from marketplace.accounts.models import AuditLog, Invitation, PasswordReset, User
from marketplace.accounts.services import authenticate
from marketplace.core.db import db, utcnow
from marketplace.orders.models import Order, OrderItem
from marketplace.payments.models import PaymentIntent
from producers.models import Product

FUZZ = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OWNER = next(d for d in LOGINS if d.producer_role == "owner")
ADMIN = next(d for d in LOGINS if d.role == "admin")
TRICKY = [
    "",
    " ",
    "\x00",
    "\u202e",
    "a" * 5000,
    "²",
    "'; DROP TABLE users; --",
    "<script>alert(1)</script>",
    "0912345678",
    "+84 912 345 678",
    "84912345678",
    OWNER.email,
    "x@y",
    "ngắn",
    "mật-khẩu-đủ-dài-🙂",
]
text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=250))
GOOD_PASSWORD = "mat-khau-du-dai-1"


def _counts(app) -> dict[str, int]:
    with app.app_context():
        session = db.session

        def n(model, *where) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where))

        return {
            "users": n(User),
            "audit": n(AuditLog),
            "spent_invitations": n(Invitation, Invitation.used_at.is_not(None)),
            "spent_resets": n(PasswordReset, PasswordReset.used_at.is_not(None)),
            "resets": n(PasswordReset),
            "orders": n(Order),
            "items": n(OrderItem),
            "intents": n(PaymentIntent),
        }


def _ok_status(response) -> int:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return response.status_code


def test_login_form(demo_app):
    client = demo_app.test_client()

    @FUZZ
    @given(login=text, password=text, target=text)
    def attempt(login, password, target):
        before = _counts(demo_app)
        response = client.post(
            "/dang-nhap?next=" + quote(target, safe=""),
            data={"login": login, "password": password},
        )
        status = _ok_status(response)
        assert status in (303, 400, 401)
        if status == 303:
            location = urlsplit(response.headers["Location"])
            assert not location.netloc and location.path.startswith("/")
            client.post("/dang-xuat")
        else:
            assert _counts(demo_app) == before

    attempt()
    # the real credentials, to be sure the form was reachable at all
    done = client.post("/dang-nhap", data={"login": OWNER.email, "password": OWNER.password})
    assert done.status_code == 303


def test_invitation_form(demo_app):
    with demo_app.app_context():
        admin = db.session.scalar(select(User).where(User.email == ADMIN.email))
        owner = db.session.scalar(select(User).where(User.email == OWNER.email))
        admin_id, producer_id = admin.id, owner.producer_id

    @FUZZ
    @given(
        name=st.one_of(st.just("Anh Tư"), text),
        email=st.one_of(st.just(""), st.emails(), text),
        phone=st.one_of(st.just(""), st.from_regex(r"\A09[0-9]{8}\Z"), text),
        password=st.one_of(st.just(GOOD_PASSWORD), text),
        same=st.booleans(),
        other=text,
    )
    def accept(name, email, phone, password, same, other):
        with demo_app.app_context():
            inviter = db.session.get(User, admin_id)
            req = invitations.InvitationRequest("producer", producer_id, "member")
            invitation, token = invitations.create_invitation(
                db.session, inviter, req, utcnow(), timedelta(days=1)
            )
            invitation_id = invitation.id
            db.commit()
        before = _counts(demo_app)
        client = demo_app.test_client()
        response = client.post(
            f"/moi/{token}",
            data={
                "name": name,
                "email": email,
                "phone": phone,
                "password": password,
                "password2": password if same else other,
            },
        )
        status = _ok_status(response)
        after = _counts(demo_app)
        with demo_app.app_context():
            spent = db.session.get(Invitation, invitation_id)
            user = db.session.get(User, spent.used_by_user_id) if spent.used_by_user_id else None
        if status == 303:
            assert after["users"] == before["users"] + 1
            assert spent.used_at is not None and user is not None
            assert (user.role, user.producer_id, user.producer_role) == (
                "producer",
                producer_id,
                "member",
            )
        else:
            assert status in (400, 409)
            assert after == before and spent.used_at is None

    accept()


def test_password_reset_forms(demo_app):
    with demo_app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == OWNER.email))
    canonical = demo_app.test_client().post("/quen-mat-khau", data={"login": "khong@co.vn"})
    neutral = canonical.get_data(as_text=True)

    @FUZZ
    @given(login=text)
    def ask(login):
        before = _counts(demo_app)
        response = demo_app.test_client().post("/quen-mat-khau", data={"login": login})
        status = _ok_status(response)
        assert status in (200, 400)
        if status == 200:
            assert response.get_data(as_text=True) == neutral
        after = _counts(demo_app)
        assert after["resets"] == before["resets"] and after["users"] == before["users"]

    @FUZZ
    @given(password=st.one_of(st.just(GOOD_PASSWORD), text), same=st.booleans(), other=text)
    def choose(password, same, other):
        with demo_app.app_context():
            user = db.session.get(User, user_id)
            reset, token = resets.create_reset(db.session, user, utcnow())
            reset_id, old_hash = reset.id, user.password_hash
            db.commit()
        response = demo_app.test_client().post(
            f"/dat-lai-mat-khau/{token}",
            data={"password": password, "password2": password if same else other},
        )
        status = _ok_status(response)
        with demo_app.app_context():
            reset = db.session.get(PasswordReset, reset_id)
            user = db.session.get(User, user_id)
            if status == 303:
                assert reset.used_at is not None and user.password_hash != old_hash
                authenticate(db.session, OWNER.email, password, utcnow())
                db.rollback()
            else:
                assert status == 400 and reset.used_at is None
                assert user.password_hash == old_hash

    ask()
    choose()


def test_checkout_form(demo_app):
    with demo_app.app_context():
        product_id = db.session.scalar(
            select(Product.id).where(Product.stock > 100).order_by(Product.id).limit(1)
        ) or db.session.scalar(select(Product.id).order_by(Product.id).limit(1))
    valid = {
        "name": "Nguyễn Thị Lan",
        "phone": "0912 345 678",
        "province": "19",
        "commune_code": "05503",
        "address_line": "Xóm Nam Đồng",
        "note": "",
    }

    def field(name: str):
        return st.one_of(st.just(valid[name]), text)

    @FUZZ
    @given(form=st.fixed_dictionaries({k: field(k) for k in valid}))
    def order(form):
        client = demo_app.test_client()
        client.post("/gio-hang/them", data={"product_id": product_id, "quantity": 1})
        before = _counts(demo_app)
        response = client.post("/dat-hang", data=form)
        status = _ok_status(response)
        after = _counts(demo_app)
        if status == 303:
            assert after["orders"] == before["orders"] + 1
            assert after["items"] == before["items"] + 1
            assert after["intents"] == before["intents"] + 1
            with demo_app.app_context():
                newest = db.session.scalar(select(Order).order_by(Order.id.desc()).limit(1))
                intent = db.session.scalar(
                    select(PaymentIntent).where(PaymentIntent.order_id == newest.id)
                )
                assert intent.amount_vnd == newest.total_vnd
        else:
            assert status == 400
            assert {k: after[k] for k in ("orders", "items", "intents")} == {
                k: before[k] for k in ("orders", "items", "intents")
            }

    order()
