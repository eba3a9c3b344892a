"""Reports (/quan-ly/bao-cao): every number checked against one computed here, in Python, from
the rows themselves; CSV and XLSX read back; filters; who may see what."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.accounts.models import UserScope
from marketplace.accounts.services import create_user
from marketplace.core.clock import today
from marketplace.core.db import db, utcnow
from marketplace.listings.models import ChannelAccount, ChannelListing
from marketplace.orders.models import Order, OrderItem
from marketplace.payments.models import BankTransaction, PaymentApplication, PaymentIntent
from marketplace.payments.models_extra import Fee
from producers.models import Producer, Product, Province

PASSWORD = "mat-khau-du-dai-1"
DAY = timedelta(days=1)


class Tables(HTMLParser):
    """The rows (cell texts) of each figure's table, by figure key; and each figure's text."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: dict[str, list[list[str]]] = {}
        self.text: dict[str, str] = {}
        self.key: str | None = None
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        test_id = dict(attrs).get("data-testid") or ""
        if tag == "section" and test_id.startswith("figure-"):
            self.key = test_id.removeprefix("figure-")
            self.rows[self.key], self.text[self.key] = [], ""
        elif self.key and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "section":
            self.key = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.key:
            self.rows[self.key].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.key:
            self.text[self.key] += data


def vnd(n: int) -> str:
    return f"{n:,}".replace(",", ".") + " ₫"


def login(client, email):
    response = client.post("/dang-nhap", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)


def _user(session, email, role, producer_id=None, **scope):
    user = create_user(
        session, email=email, name=email.split("@")[0], password=PASSWORD, role=role,
        producer_id=producer_id,
    )  # fmt: skip
    if scope:
        session.add(UserScope(user_id=user.id, **scope))
    return user


def _order(session, producer, product, total, status, created, payments=()):
    """An order of one product line, its intent, and (provider, amount, when) transfers."""
    order = Order(
        number="DH-" + secrets.token_hex(4), checkout_token=secrets.token_urlsafe(16),
        producer_id=producer.id, buyer_name="Chị Lan", buyer_phone="0912345678",
        commune_code=producer.commune_code, address_line="Thôn 1", total_vnd=total,
        status=status, created_at=created, updated_at=created,
    )  # fmt: skip
    order.items.append(
        OrderItem(product_id=product.id, name=product.name, unit="hộp", price_vnd=total, quantity=1)
    )
    session.add(order)
    session.flush()
    intent = PaymentIntent(
        public_id="pi_" + secrets.token_hex(8), purpose="order", order_id=order.id,
        producer_id=producer.id, payee_bin="970436", payee_account="0011001234567",
        payee_name="HTX", amount_vnd=total, amount_received_vnd=sum(a for _p, a, _w in payments),
        reference_code=secrets.token_hex(4).upper()[:8] + "Z", qr_payload="x",
        status="succeeded" if status == "paid" else "requires_payment",
        expires_at=created + DAY, created_at=created, updated_at=created,
    )  # fmt: skip
    session.add(intent)
    session.flush()
    for provider, amount, when in payments:
        txn = BankTransaction(
            provider=provider, provider_transaction_id=secrets.token_hex(6),
            account_number="0011001234567", amount_vnd=amount, memo=intent.reference_code,
            occurred_at=when, raw_payload="{}", match_status="matched",
        )  # fmt: skip
        session.add(txn)
        session.flush()
        session.add(
            PaymentApplication(transaction_id=txn.id, intent_id=intent.id, amount_vnd=amount)
        )
    return order


@pytest.fixture
def world(demo_app):
    """Demo catalogue + people, statuses, listings, orders, transfers and fees."""
    with demo_app.app_context():
        s = db.session
        now, day = utcnow(), today()
        old = now - timedelta(days=40)
        by_name = {p.name: p for p in s.scalars(select(Producer))}
        hao_dat = by_name["HTX chè Hảo Đạt"]  # province 19, commune 05503
        quy_thu = next(p for p in by_name.values() if p.name.startswith("Công ty TNHH Sản xuất"))
        _user(s, "admin@example.vn", "admin")
        _user(s, "tinh@example.vn", "staff", province_code=hao_dat.province_code)
        _user(s, "xa@example.vn", "staff", commune_code=hao_dat.commune_code)
        helper = _user(s, "hotro@example.vn", "onboarder", commune_code=hao_dat.commune_code)
        _user(s, "ranh@example.vn", "onboarder")
        _user(s, "htx@example.vn", "producer", producer_id=hao_dat.id)
        others = [p for p in by_name.values() if p.province_code == "19" and p is not hao_dat]
        others[0].status, others[1].status, others[2].status = "draft", "onboarding", "suspended"
        for p in (hao_dat, others[0], others[1]):
            p.onboarder_user_id = helper.id
        products = {p.producer_id: p for p in s.scalars(select(Product).order_by(Product.id))}
        certified = [
            p
            for p in s.scalars(select(Product))
            if p.cert_valid_until and p.cert_valid_until >= day
        ]
        lapsed = next(p for p in certified if p.producer_id == others[3].id)
        lapsed.cert_valid_until = day - DAY  # its stars no longer count
        s.flush()
        ocop = s.scalars(
            select(Product).where(
                Product.producer_id == hao_dat.id, Product.cert_stars.is_not(None)
            )
        ).first()
        plain = s.scalars(
            select(Product).where(Product.producer_id == hao_dat.id, Product.cert_stars.is_(None))
        ).first()
        shops = [
            ChannelAccount(producer_id=hao_dat.id, channel=c, label=c, shop_id=c + "-1")
            for c in ("shopee", "tiki")
        ]
        s.add_all(shops)
        s.flush()
        s.add_all(
            [
                ChannelListing(product_id=ocop.id, account_id=shops[0].id, state="live"),
                ChannelListing(product_id=ocop.id, account_id=shops[1].id, state="live"),
                ChannelListing(product_id=plain.id, account_id=shops[0].id, state="live"),
            ]
        )
        quy = products[quy_thu.id]
        qshop = ChannelAccount(producer_id=quy_thu.id, channel="shopee", label="q", shop_id="q-1")
        s.add(qshop)
        s.flush()
        s.add(ChannelListing(product_id=quy.id, account_id=qshop.id, state="attention"))
        _order(s, hao_dat, ocop, 200_000, "paid", now, [("sepay", 200_000, now)])
        _order(s, hao_dat, ocop, 50_000, "awaiting_payment", now)
        _order(s, hao_dat, plain, 120_000, "paid", old, [("manual", 120_000, old)])
        _order(
            s,
            quy_thu,
            quy,
            300_000,
            "paid",
            now,
            [("manual", 100_000, now), ("casso", 200_000, now)],
        )
        s.add_all(
            [
                Fee(producer_id=hao_dat.id, kind="onboarding", description="a", amount_vnd=500_000, status="paid", created_at=now),
                Fee(producer_id=hao_dat.id, kind="yearly", description="b", amount_vnd=300_000, status="unpaid", created_at=now),
                Fee(producer_id=hao_dat.id, kind="yearly", description="c", amount_vnd=70_000, status="unpaid", created_at=old),
                Fee(producer_id=hao_dat.id, kind="other", description="d", amount_vnd=50_000, status="canceled", created_at=now),
                Fee(producer_id=quy_thu.id, kind="listing", description="e", amount_vnd=100_000, status="unpaid", created_at=now),
            ]
        )  # fmt: skip
        db.commit()
        return {"hao_dat": hao_dat.id, "quy_thu": quy_thu.id, "ocop": ocop.id, "plain": plain.id}


def expected(session, keep=lambda p: True, since=None):
    """Every figure recomputed in Python from the rows (``keep``: which producers count)."""
    day = today()
    producers = {p.id: p for p in session.scalars(select(Producer)) if keep(p)}
    products = [p for p in session.scalars(select(Product)) if p.producer_id in producers]
    valid = {p.id for p in products if p.cert_stars and p.cert_valid_until >= day}
    live = [
        (lst.product_id, lst.account.channel)
        for lst in session.scalars(select(ChannelListing))
        if lst.state == "live" and lst.product_id in valid
    ]
    orders = [
        o for o in session.scalars(select(Order))
        if o.producer_id in producers and (since is None or o.created_at >= since)
    ]  # fmt: skip
    money: dict[str, int] = {}
    for app in session.scalars(select(PaymentApplication)):
        intent = session.get(PaymentIntent, app.intent_id)
        order = session.get(Order, intent.order_id)
        if order.producer_id in producers and (
            since is None or app.transaction.occurred_at >= since
        ):
            money[app.transaction.provider] = (
                money.get(app.transaction.provider, 0) + app.amount_vnd
            )
    fees = [
        f for f in session.scalars(select(Fee))
        if f.producer_id in producers and (since is None or f.created_at >= since)
    ]  # fmt: skip
    return {
        "producers": producers,
        "by_status": {st: sum(p.status == st for p in producers.values()) for st in ("draft", "onboarding", "active", "suspended")},
        "stars": {n: sum(1 for p in products if p.id in valid and p.cert_stars == n) for n in (3, 4, 5)},
        "no_cert": len(products) - len(valid),
        "ocop": len(valid),
        "listed": len({pid for pid, _c in live}),
        "per_channel": {c: len({pid for pid, ch in live if ch == c}) for c in ("shopee", "tiki")},
        "orders": len(orders),
        "paid": [o for o in orders if o.status == "paid"],
        "money": money,
        "fees_paid": sum(f.amount_vnd for f in fees if f.status == "paid"),
        "fees_owed": sum(f.amount_vnd for f in fees if f.status == "unpaid"),
    }  # fmt: skip


def _row(rows, first):
    return next(r for r in rows if r[0] == first)


def test_admin_sees_every_figure_with_the_right_numbers(client, demo_app, world):
    login(client, "admin@example.vn")
    response = client.get("/quan-ly/bao-cao")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(response.data) < 60_000
    t = Tables(html)
    with demo_app.app_context():
        e = expected(db.session)
        provinces = {p.code: p.name for p in db.session.scalars(select(Province))}
    # producers by status per province, with OCOP and listed products
    total = _row(t.rows["dia-ban"], "Tổng")
    assert total[1:5] == [
        str(e["by_status"][s]) for s in ("draft", "onboarding", "active", "suspended")
    ]
    assert total[5] == str(len(e["producers"])) and total[6] == str(e["ocop"])
    assert total[7] == str(e["listed"])
    assert _row(t.rows["dia-ban"], provinces["19"])[5] == str(
        sum(p.province_code == "19" for p in e["producers"].values())
    )
    # stars (current certificates only) by group
    assert _row(t.rows["nhom-sao"], "Tổng")[1:] == [
        str(e["stars"][3]), str(e["stars"][4]), str(e["stars"][5]), str(e["ocop"]), str(e["no_cert"])
    ]  # fmt: skip
    assert e["ocop"] == 13  # 14 certified demo products, one made to lapse
    # listings: at least one marketplace, and per channel
    assert _row(t.rows["kenh-ban"], "Ít nhất một sàn")[1] == str(e["listed"]) == "1"
    assert _row(t.rows["kenh-ban"], "Shopee")[1] == str(e["per_channel"]["shopee"])
    assert _row(t.rows["kenh-ban"], "Tiki")[1] == str(e["per_channel"]["tiki"])
    assert _row(t.rows["kenh-ban"], "Lazada")[1:] == ["0", "0,0 %"]
    assert "1 trên 13 sản phẩm OCOP (7,7 %)" in t.text["kenh-ban"]
    # orders and money
    assert _row(t.rows["don-hang"], "Tổng")[1:] == [str(e["orders"]), vnd(670_000)]
    assert _row(t.rows["don-hang"], "Đã thanh toán")[1:] == [
        str(len(e["paid"])),
        vnd(sum(o.total_vnd for o in e["paid"])),
    ]
    manual = e["money"]["manual"]
    notified = sum(v for k, v in e["money"].items() if k != "manual")
    assert (manual, notified) == (220_000, 400_000)
    assert _row(t.rows["khong-tien-mat"], "Chuyển khoản, chủ thể tự ghi")[2] == vnd(manual)
    assert _row(t.rows["khong-tien-mat"], "Chuyển khoản, ngân hàng báo tự động")[2] == vnd(notified)
    assert "Tỷ lệ không dùng tiền mặt: 100,0 %" in t.text["khong-tien-mat"]
    # fees: canceled ones left out, said so
    assert _row(t.rows["phi"], "Tổng")[2:] == [vnd(e["fees_paid"]), vnd(e["fees_owed"])]
    assert "1 khoản phí đã huỷ" in t.text["phi"]
    # onboarding progress per onboarder
    helper = _row(t.rows["ho-tro"], "hotro")
    assert helper[1:] == ["1", "1", "1", "0", "3", "33,3 %"]
    assert _row(t.rows["ho-tro"], "Chưa có người hỗ trợ")[5] == str(len(e["producers"]) - 3)
    idle = next(n for n in t.text["ho-tro"].splitlines() if "Chưa hỗ trợ chủ thể nào" in n)
    assert "ranh" in idle and "hotro" not in idle
    # every chart is an accessible image followed by its table
    assert html.count('role="img"') == html.count("<svg") == 7
    assert html.count("<table") == 7 and "<title>" in html and "aria-label=" in html


def test_staff_see_only_their_scope(client, demo_app, world):
    with demo_app.app_context():
        hao_dat = db.session.get(Producer, world["hao_dat"])
        province, commune = hao_dat.province_code, hao_dat.commune_code
        in_province = expected(db.session, lambda p: p.province_code == province)
        in_commune = expected(db.session, lambda p: p.commune_code == commune)
    login(client, "tinh@example.vn")
    t = Tables(client.get("/quan-ly/bao-cao").get_data(as_text=True))
    assert [r[0] for r in t.rows["dia-ban"][1:-1]] == ["Tỉnh Thái Nguyên"]
    assert _row(t.rows["dia-ban"], "Tổng")[5] == str(len(in_province["producers"])) == "10"
    assert _row(t.rows["don-hang"], "Tổng")[1] == str(in_province["orders"]) == "3"
    assert _row(t.rows["phi"], "Tổng")[3] == vnd(in_province["fees_owed"]) == vnd(370_000)
    assert "ranh" not in t.text["ho-tro"]  # idle onboarders: a platform-wide list, admins only
    # another province: nothing of it leaks, the page says there is nothing
    other = Tables(client.get("/quan-ly/bao-cao?province=48").get_data(as_text=True))
    assert _row(other.rows["dia-ban"], "Tổng")[5] == "0"
    assert "Chưa có chủ thể nào" in other.text["dia-ban"]
    assert _row(other.rows["don-hang"], "Tổng")[1] == "0"
    client.post("/dang-xuat")
    login(client, "xa@example.vn")
    t = Tables(client.get("/quan-ly/bao-cao").get_data(as_text=True))
    assert _row(t.rows["dia-ban"], "Tổng")[5] == str(len(in_commune["producers"])) == "4"
    assert _row(t.rows["nhom-sao"], "Tổng")[4] == str(in_commune["ocop"])
    rows = list(
        csv.reader(io.StringIO(client.get("/quan-ly/bao-cao/chu-the.csv").data.decode("utf-8-sig")))
    )
    assert {r[0] for r in rows[1:]} == {str(i) for i in in_commune["producers"]}


def test_filters_by_place_and_dates(client, demo_app, world):
    login(client, "admin@example.vn")
    since = today() - timedelta(days=7)
    with demo_app.app_context():
        from marketplace.reports.filters import Filters

        start, _end = Filters(date_from=since).window()
        e = expected(db.session, lambda p: p.province_code == "19", since=start)
    t = Tables(client.get(f"/quan-ly/bao-cao?province=19&from={since}").get_data(as_text=True))
    assert _row(t.rows["don-hang"], "Tổng")[1:] == [str(e["orders"]), vnd(250_000)]
    assert e["money"] == {"sepay": 200_000}
    assert _row(t.rows["khong-tien-mat"], "Tổng")[2] == vnd(200_000)
    assert _row(t.rows["phi"], "Tổng")[3] == vnd(e["fees_owed"]) == vnd(300_000)
    # a province's page breaks down by commune, each a link to that commune's page
    places = [r[0] for r in t.rows["dia-ban"][1:-1]]
    communes = {p.commune.name for p in e["producers"].values()}
    assert set(places) == communes and len(places) == 4
    page = client.get(f"/quan-ly/bao-cao?province=19&from={since}").get_data(as_text=True)
    assert f'href="/quan-ly/bao-cao?province=19&amp;from={since}&amp;commune=' in page
    # an empty range has no orders, and says so plainly
    empty = Tables(
        client.get("/quan-ly/bao-cao?from=2020-01-01&to=2020-01-31").get_data(as_text=True)
    )
    assert _row(empty.rows["don-hang"], "Tổng")[1] == "0"
    assert "Chưa có đơn hàng nào" in empty.text["don-hang"]
    for bad in (
        "province=1a",
        "commune=123",
        "from=2026-02-30",
        "from=2026-02-02&to=2026-01-01",
        "kind=x",
    ):
        assert client.get("/quan-ly/bao-cao?" + bad).status_code == 400, bad


def test_product_report_csv_and_xlsx(client, demo_app, world):
    login(client, "admin@example.vn")
    with demo_app.app_context():
        e = expected(db.session, lambda p: p.province_code == "19")
        products = [
            p for p in db.session.scalars(select(Product)) if p.producer_id in e["producers"]
        ]
    response = client.get("/quan-ly/bao-cao/san-pham.csv?province=19")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "Mã sản phẩm" and len(body) == len(products)
    ocop = next(r for r in body if r[0] == f"OCOP{world['ocop']:06d}")
    col = {name: i for i, name in enumerate(header)}
    assert ocop[col["Kênh đang bán"]] == "Shopee, Tiki" and ocop[col["Số kênh đang bán"]] == "2"
    assert ocop[col["Đơn đã thanh toán"]] == "1" and ocop[col["Doanh thu (₫)"]] == "200000"
    assert ocop[col["Chứng nhận"]] == "Còn hiệu lực" and ocop[col["Hạng sao"]] in "345"
    lapsed = [r for r in body if r[col["Chứng nhận"]] == "Hết hiệu lực"]
    assert len(lapsed) == 1 and lapsed[0][col["Hạng sao"]] == ""
    xlsx = client.get("/quan-ly/bao-cao/san-pham.xlsx?province=19")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == header and len(values) == len(rows)
    xrow = next(r for r in values if r[0] == f"OCOP{world['ocop']:06d}")
    assert xrow[col["Doanh thu (₫)"]] == 200000 and xrow[col["Kênh đang bán"]] == "Shopee, Tiki"


def test_producer_report_and_formula_injection(client, demo_app, world):
    with demo_app.app_context():
        producer = db.session.get(Producer, world["hao_dat"])
        producer.name = '=HYPERLINK("http://evil.example","bấm")'
        producer.representative = "+84 Lê Văn A"
        db.commit()
    login(client, "admin@example.vn")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/quan-ly/bao-cao/chu-the.csv?kind=cooperative").data.decode("utf-8-sig")
            )
        )
    )
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    with demo_app.app_context():
        coops = [p for p in db.session.scalars(select(Producer)) if p.kind == "cooperative"]
    assert len(body) == len(coops)
    mine = next(r for r in body if r[0] == str(world["hao_dat"]))
    assert mine[col["Tên chủ thể"]] == "'" + producer.name
    assert mine[col["Người đại diện"]] == "'+84 Lê Văn A"
    assert mine[col["Người hỗ trợ"]] == "hotro"
    assert (
        mine[col["Đơn đã thanh toán"]] == "2"
        and mine[col["Giá trị đơn đã thanh toán (₫)"]] == "320000"
    )
    assert mine[col["Tiền nhận: ngân hàng báo tự động (₫)"]] == "200000"
    assert mine[col["Tiền nhận: chủ thể tự ghi (₫)"]] == "120000"
    assert mine[col["Phí đã nộp (₫)"]] == "500000" and mine[col["Phí chưa nộp (₫)"]] == "370000"
    assert mine[col["Kênh đang bán"]] == "Shopee, Tiki"
    sheet = load_workbook(io.BytesIO(client.get("/quan-ly/bao-cao/chu-the.xlsx").data)).active
    cell = next(r for r in sheet.iter_rows() if r[0].value == world["hao_dat"])[col["Tên chủ thể"]]
    assert cell.data_type == "s" and cell.value == "'" + producer.name


def test_who_may_open_reports(client, demo_app, world):
    for url in (
        "/quan-ly/bao-cao",
        "/quan-ly/bao-cao/san-pham.csv",
        "/quan-ly/bao-cao/chu-the.xlsx",
    ):
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/dang-nhap" in anonymous.headers["Location"]
    for email in ("htx@example.vn", "hotro@example.vn"):
        login(client, email)
        for url in (
            "/quan-ly/bao-cao",
            "/quan-ly/bao-cao/san-pham.csv",
            "/quan-ly/bao-cao/chu-the.xlsx",
        ):
            assert client.get(url).status_code == 403, (email, url)
        assert "/quan-ly/bao-cao" not in client.get("/quan-ly").get_data(as_text=True)
        client.post("/dang-xuat")
    login(client, "tinh@example.vn")
    assert 'href="/quan-ly/bao-cao"' in client.get("/quan-ly").get_data(as_text=True)


def test_demo_without_orders_or_listings_renders_zeros(client, demo_app):
    with demo_app.app_context():
        _user(db.session, "admin@example.vn", "admin")
        db.commit()
    login(client, "admin@example.vn")
    response = client.get("/quan-ly/bao-cao")
    assert response.status_code == 200 and len(response.data) < 60_000
    t = Tables(response.get_data(as_text=True))
    assert "Chưa có sản phẩm OCOP nào đang bán trên sàn" in t.text["kenh-ban"]
    assert "Chưa có đơn hàng nào" in t.text["don-hang"]
    assert "Chưa nhận khoản tiền nào" in t.text["khong-tien-mat"]
    assert "Chưa có khoản phí nào" in t.text["phi"]
    assert _row(t.rows["don-hang"], "Tổng")[1:] == ["0", vnd(0)]
    assert _row(t.rows["kenh-ban"], "Ít nhất một sàn")[1:] == ["0", "0,0 %"]
    body = client.get("/quan-ly/bao-cao/san-pham.csv").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 31  # header + the 30 demo products
    english = client.get("/quan-ly/bao-cao?lang=en").get_data(as_text=True)
    assert "0.0 %" in english  # English number format (the text comes with the catalogue)


def test_queries_do_not_grow_with_the_data(client, demo_app, world):
    """One query per figure (and per export side table): no query per row."""
    from sqlalchemy import event

    login(client, "admin@example.vn")
    seen: list[str] = []

    def count(*args):
        seen.append(args[2])

    with demo_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for url, most in (
            ("/quan-ly/bao-cao", 13),
            ("/quan-ly/bao-cao?province=19", 13),
            ("/quan-ly/bao-cao/san-pham.csv", 5),
            ("/quan-ly/bao-cao/chu-the.xlsx", 8),
        ):
            seen.clear()
            assert client.get(url).status_code == 200
            assert len(seen) <= most, (url, len(seen), seen)
    finally:
        event.remove(engine, "before_cursor_execute", count)
