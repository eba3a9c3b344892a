from datetime import date

from sqlalchemy import func, select

from marketplace.cli import image_config
from marketplace.core.storage import MediaStorage
from producers.models import Certificate, Producer, Product, ProductImage
from producers.seed import seed_demo


def _counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(m))
        for m in (Producer, Product, Certificate, ProductImage)
    )


def test_demo_seed_is_idempotent(demo_app, demo_session):
    before = _counts(demo_session)
    assert before == (28, 30, 30, 30)
    with demo_app.app_context():
        report = seed_demo(
            demo_session,
            MediaStorage(demo_app.config["MEDIA_DIR"]),
            date(2026, 11, 22),
            image_config(),
        )
    assert not report.changed
    assert _counts(demo_session) == before


def test_demo_data_marks_estimates_and_placeholders(demo_app, demo_session):
    product = demo_session.scalar(select(Product).where(Product.source_ref == "sample:P001"))
    cert = product.certificates[0]
    assert cert.date_estimated and "ước tính" in cert.note
    assert cert.valid_until == date(2023, 5, 15)  # decision + 36 months
    sourced = demo_session.scalar(
        select(Product).where(Product.source_ref == "sample:P022")
    ).certificates[0]
    assert not sourced.date_estimated and sourced.decision_number == "2361/QĐ-BNNMT"
    image = product.images[0]
    assert image.is_placeholder
    storage = MediaStorage(demo_app.config["MEDIA_DIR"])
    for path in (image.original_path, image.thumb_small_path, image.thumb_large_path):
        assert storage.exists(path)


def test_demo_producers_have_official_addresses(demo_session):
    producer = demo_session.scalar(select(Producer).where(Producer.name == "HTX chè Hảo Đạt"))
    assert producer.commune_code == "05503" and producer.province_code == "19"
    assert producer.address == "Xóm Nam Đồng, Xã Tân Cương, Tỉnh Thái Nguyên"
    assert producer.kind == "cooperative"
