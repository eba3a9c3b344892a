"""Step 5: a product with its photo and OCOP certificate, added in one go.

Everything is checked before any file is written where possible (the certificate scan is
processed in memory first, the photo's own pipeline checks before it stores), and the rows are
only flushed: a refusal anywhere rolls the whole product back. A product is published as soon as
it has a photo and a certificate valid today, so it reaches the storefront with its stars once
its producer is active.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.core.errors import ValidationError
from marketplace.core.storage import MediaStorage
from producers.images import ProcessedImage, add_image, process_image
from producers.models import OcopSet, Producer, Product, ProductStatus
from producers.services import CertificateInput, ProductInput, add_certificate, create_product

from .forms import CertificateForm, FormErrors, ProductForm
from .services import record, refresh_status

#: criteria-set codes of services (tourism): no physical item, so no weight
SERVICE_SET_PREFIX = "6."


@dataclass(frozen=True)
class ImageLimits:
    """The app's image limits (``IMAGE_*`` config), as the pipeline wants them."""

    max_bytes: int
    max_pixels: int
    thumb_sizes: tuple[int, int]


def _as_field(exc: ValidationError, param: str) -> FormErrors:
    return FormErrors({param: exc.message})


def _scan(data: bytes, limits: ImageLimits) -> ProcessedImage:
    """The certificate photo, verified and stripped of metadata (GPS, camera) like any image."""
    try:
        return process_image(
            data, max_bytes=limits.max_bytes, max_pixels=limits.max_pixels, thumb_sizes=()
        )
    except ValidationError as exc:
        raise _as_field(exc, "scan") from None


def _certificate(
    session: Session, product: Product, form: CertificateForm, scan: ProcessedImage, today: date
) -> str:
    """Add the certificate; returns where its scan goes (written by the caller, last)."""
    assert form.stars is not None and form.decision_date is not None
    path = f"certificates/{product.id}/{scan.sha256[:16]}.{scan.extension}"
    add_certificate(
        session,
        product,
        CertificateInput(
            stars=form.stars,
            decision_number=form.decision_number,
            decision_date=form.decision_date,
            issuing_authority=form.issuing_authority,
            document_path=path,
        ),
        today,
    )
    return path


def weightless_sets(session: Session) -> set[int]:
    """The OCOP sets whose products ship nothing (services), so need no packed weight."""
    return set(
        session.scalars(select(OcopSet.set_no).where(OcopSet.code.startswith(SERVICE_SET_PREFIX)))
    )


def _publish_if_ready(product: Product, today: date) -> None:
    if product.status == ProductStatus.DRAFT and product.images and product.stars_on(today):
        product.status = ProductStatus.PUBLISHED


def add_product(
    session: Session,
    storage: MediaStorage,
    actor: User,
    producer: Producer,
    form: ProductForm,
    limits: ImageLimits,
    today: date,
) -> Product:
    """Create the product, its certificate and photo; publish it when the certificate is valid."""
    scan = _scan(form.certificate.scan, limits)
    ocop_set = session.get(OcopSet, form.set_no) if form.set_no is not None else None
    if ocop_set is None:
        raise FormErrors({"set_no": "Chọn bộ sản phẩm OCOP."})
    if form.weight_grams is None and not ocop_set.code.startswith(SERVICE_SET_PREFIX):
        raise FormErrors({"weight_grams": "Nhập khối lượng (gam) để tính phí giao hàng."})
    assert form.price_vnd is not None
    product = create_product(
        session,
        producer,
        ProductInput(
            name=form.name,
            set_no=ocop_set.set_no,
            price_vnd=form.price_vnd,
            unit=form.unit,
            net_quantity=form.net_quantity,
            description=form.description,
            stock=form.stock,
            weight_grams=form.weight_grams,
        ),
    )
    scan_path = _certificate(session, product, form.certificate, scan, today)
    try:
        add_image(session, storage, product, form.photo, alt=product.name, **limits.__dict__)
    except ValidationError as exc:
        raise _as_field(exc, "photo") from None
    storage.save(scan_path, scan.original)
    session.refresh(product, ["images"])
    _publish_if_ready(product, today)
    session.flush()
    record(
        session,
        actor,
        "product_added",
        producer,
        {"product": product.id, "stars": product.cert_stars, "status": product.status},
    )
    refresh_status(session, producer, today)
    return product


def renew_certificate(
    session: Session,
    storage: MediaStorage,
    actor: User,
    product: Product,
    form: CertificateForm,
    limits: ImageLimits,
    today: date,
) -> None:
    """A new certificate for a product (a renewal before the old one lapses)."""
    scan = _scan(form.scan, limits)
    path = _certificate(session, product, form, scan, today)
    storage.save(path, scan.original)
    _publish_if_ready(product, today)
    session.flush()
    record(
        session,
        actor,
        "certificate_added",
        product.producer,
        {"product": product.id, "stars": product.cert_stars, "until": product.cert_valid_until},
    )
    refresh_status(session, product.producer, today)
