from datetime import timedelta

from marketplace.catalogue.tasks import refresh_certificates
from marketplace.core.clock import today
from producers import services


def test_daily_job_moves_products_off_lapsed_certificates(session):
    producer = services.create_producer(
        session, services.ProducerInput(kind="household", name="Hộ Mật ong A", commune_code="05503")
    )
    product = services.create_product(
        session,
        producer,
        services.ProductInput(name="Mật ong rừng", set_no=4, price_vnd=300000, unit="chai"),
    )
    day = today()
    services.add_certificate(
        session,
        product,
        services.CertificateInput(
            3, "1/QĐ", day - timedelta(days=400), "UBND tỉnh", valid_until=day + timedelta(days=300)
        ),
        day,
    )
    # the newest certificate lapsed yesterday, but the cache still points at it
    services.add_certificate(
        session,
        product,
        services.CertificateInput(
            4, "2/QĐ", day - timedelta(days=100), "UBND tỉnh", valid_until=day - timedelta(days=1)
        ),
        day,
    )
    product.cert_stars, product.cert_valid_until = 4, day - timedelta(days=1)
    session.commit()
    assert product.stars_on(day) is None

    assert refresh_certificates.call_local() == 1
    session.expire_all()
    assert product.stars_on(day) == 3
    assert refresh_certificates.call_local() == 0
