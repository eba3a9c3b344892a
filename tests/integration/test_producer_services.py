from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.core.errors import ValidationError
from producers import services
from producers.models import Certificate, Producer, Product

TODAY = date(2026, 11, 22)


def _producer(session, **kw):
    data = {"kind": "cooperative", "name": "HTX Chè Tân Cương", "commune_code": "05503"} | kw
    return services.create_producer(session, services.ProducerInput(**data))


def _product(session, producer, **kw):
    data = {"name": "Chè búp Tân Cương", "set_no": 11, "price_vnd": 250000, "unit": "hộp"} | kw
    return services.create_product(session, producer, services.ProductInput(**data))


def test_create_producer_normalises_and_derives_province(session):
    p = _producer(
        session,
        tax_code="4601234567",
        phone="+84 912 345 678",
        street=" Xóm  Nam Đồng ",
        bank_bin="970436",
        bank_account="0011 0019 32418",
        bank_account_name="Htx Chè Tân Cương",
    )
    assert (p.province_code, p.phone, p.street) == ("19", "0912345678", "Xóm Nam Đồng")
    assert (p.bank_account, p.bank_account_name) == ("0011001932418", "HTX CHÈ TÂN CƯƠNG")
    assert p.slug == "htx-che-tan-cuong"
    assert _producer(session, name="HTX Chè Tân Cương").slug == "htx-che-tan-cuong-2"


@pytest.mark.parametrize(
    ("field", "value", "param"),
    [
        ("commune_code", "99999", "commune_code"),
        ("tax_code", "12345", "tax_code"),
        ("phone", "12345", "phone"),
        ("kind", "ngo", "kind"),
        ("name", "   ", "name"),
        ("bank_bin", "000000", "bank_bin"),
    ],
)
def test_invalid_producer_names_the_field_and_writes_nothing(session, field, value, param):
    kw = {field: value}
    if field == "bank_bin":
        kw |= {"bank_account": "123", "bank_account_name": "A"}
    with pytest.raises(ValidationError) as err:
        _producer(session, **kw)
    assert err.value.param == param
    assert session.scalar(select(func.count()).select_from(Producer)) == 0


def test_duplicate_tax_code_rejected(session):
    _producer(session, tax_code="4601234567")
    with pytest.raises(ValidationError, match="đã được đăng ký"):
        _producer(session, name="Khác", tax_code="4601234567")


def test_product_search_columns_are_folded(session):
    product = _product(session, _producer(session))
    assert product.search_name == " che bup tan cuong"
    assert " htx che tan cuong " in product.search_text + " "
    assert " thai nguyen" in product.search_text
    assert product.code == f"OCOP{product.id:06d}"


@pytest.mark.parametrize(
    ("kw", "param"),
    [
        ({"price_vnd": -1}, "price_vnd"),
        ({"set_no": 99}, "set_no"),
        ({"unit": ""}, "unit"),
        ({"stock": -3}, "stock"),
        ({"weight_grams": 0}, "weight_grams"),
    ],
)
def test_invalid_product(session, kw, param):
    producer = _producer(session)
    with pytest.raises(ValidationError) as err:
        _product(session, producer, **kw)
    assert err.value.param == param


def test_certificate_defaults_to_36_months_and_sets_stars(session):
    product = _product(session, _producer(session))
    cert = services.add_certificate(
        session,
        product,
        services.CertificateInput(
            stars=4,
            decision_number="123/QĐ-UBND",
            decision_date=date(2024, 3, 31),
            issuing_authority="UBND tỉnh Thái Nguyên",
        ),
        TODAY,
    )
    assert cert.valid_until == date(2027, 3, 31)
    assert (product.cert_stars, product.stars_on(TODAY)) == (4, 4)


@pytest.mark.parametrize(
    ("kw", "param"),
    [
        ({"stars": 2}, "stars"),
        ({"decision_number": " "}, "decision_number"),
        ({"decision_date": date(2027, 1, 1)}, "decision_date"),
        ({"valid_until": date(2020, 1, 1)}, "valid_until"),
    ],
)
def test_invalid_certificate(session, kw, param):
    product = _product(session, _producer(session))
    data = {
        "stars": 4,
        "decision_number": "1/QĐ",
        "decision_date": date(2024, 1, 1),
        "issuing_authority": "UBND",
    } | kw
    with pytest.raises(ValidationError) as err:
        services.add_certificate(session, product, services.CertificateInput(**data), TODAY)
    assert err.value.param == param
    assert session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_daily_refresh_falls_back_to_older_valid_certificate(session):
    product = _product(session, _producer(session))
    services.add_certificate(
        session,
        product,
        services.CertificateInput(
            3, "1/QĐ", date(2024, 1, 1), "UBND", valid_until=date(2027, 1, 1)
        ),
        TODAY,
    )
    services.add_certificate(
        session,
        product,
        services.CertificateInput(5, "2/QĐ", date(2024, 6, 1), "Bộ", valid_until=date(2026, 12, 1)),
        TODAY,
    )
    assert product.stars_on(TODAY) == 5
    later = date(2026, 12, 15)
    assert product.stars_on(later) is None  # the cache never shows a lapsed badge
    assert services.refresh_expired_certificates(session, later) == 1
    assert product.stars_on(later) == 3
    assert services.refresh_expired_certificates(session, later) == 0
    session.flush()
    assert session.get(Product, product.id).cert_stars == 3
