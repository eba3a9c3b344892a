from datetime import date

from producers.models import Certificate, Product, add_months


def test_add_months_clamps_to_month_end():
    assert add_months(date(2025, 1, 16), 36) == date(2028, 1, 16)
    assert add_months(date(2024, 2, 29), 36) == date(2027, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)


def _cert(stars, decided, until):
    return Certificate(
        stars=stars,
        decision_number="1/QĐ",
        decision_date=decided,
        issuing_authority="UBND",
        valid_until=until,
    )


def test_certificate_valid_through_last_day_inclusive():
    cert = _cert(4, date(2023, 1, 10), date(2026, 1, 10))
    assert cert.is_valid_on(date(2026, 1, 10))
    assert not cert.is_valid_on(date(2026, 1, 11))
    assert not cert.is_valid_on(date(2023, 1, 9))


def test_product_stars_come_from_newest_valid_certificate():
    old = _cert(3, date(2020, 1, 1), date(2026, 12, 31))
    newer = _cert(5, date(2024, 6, 1), date(2027, 6, 1))
    product = Product(name="x", certificates=[newer, old])  # relationship order: newest first
    assert product.current_certificate(date(2025, 1, 1)) is newer
    assert product.current_certificate(date(2027, 1, 1)) is newer
    assert product.current_certificate(date(2027, 6, 2)) is None


def test_expired_newest_falls_back_to_older_still_valid():
    newest = _cert(5, date(2022, 1, 1), date(2023, 1, 1))
    older = _cert(3, date(2021, 1, 1), date(2024, 1, 1))
    product = Product(name="x", certificates=[newest, older])
    assert product.current_certificate(date(2023, 6, 1)) is older


def test_cached_stars_never_shown_after_expiry():
    product = Product(name="x", cert_stars=4, cert_valid_until=date(2026, 1, 10))
    assert product.stars_on(date(2026, 1, 10)) == 4
    assert product.stars_on(date(2026, 1, 11)) is None
