"""Operations on producers, products and certificates.

They take explicit arguments, validate, add and flush; they never commit (the request, job or
CLI wrapper owns the transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.errors import ValidationError
from marketplace.core.money import MAX_VND
from marketplace.core.text import clean_block, clean_line, search_text, slugify

from . import validation
from .models import (
    VALIDITY_MONTHS,
    Bank,
    Certificate,
    Commune,
    OcopSet,
    Producer,
    ProducerKind,
    ProducerStatus,
    Product,
    ProductStatus,
    add_months,
)

TAX_CODE_TAKEN = (
    "Mã số thuế này đã được đăng ký. Tìm chủ thể đó trong danh sách Hỗ trợ chủ thể thay vì tạo mới."
)


def unique_slug(session: Session, model: type[Producer] | type[Product], text: str) -> str:
    """A slug from ``text`` not yet used by ``model`` (``-2``, ``-3``… appended if needed)."""
    base = slugify(text)
    taken = set(session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


@dataclass
class ProducerInput:
    """What a person types to register a producer."""

    kind: str
    name: str
    commune_code: str
    street: str = ""
    tax_code: str = ""
    representative: str = ""
    phone: str = ""
    description: str = ""
    bank_bin: str = ""
    bank_account: str = ""
    bank_account_name: str = ""
    status: str = ProducerStatus.DRAFT
    provenance: str = ""
    source_ref: str | None = None


def create_producer(session: Session, data: ProducerInput) -> Producer:
    """Validate and add a producer."""
    name = clean_line(data.name, 200)
    if not name:
        raise ValidationError("Vui lòng nhập tên chủ thể.", param="name")
    if data.kind not in {k.value for k in ProducerKind}:
        raise ValidationError(
            "Loại chủ thể phải là hợp tác xã, doanh nghiệp hoặc hộ kinh doanh.", param="kind"
        )
    if data.status not in {s.value for s in ProducerStatus}:
        raise ValidationError(
            "Trạng thái không hợp lệ. Chọn trạng thái trong danh sách.", param="status"
        )
    commune = session.get(Commune, data.commune_code.strip())
    if commune is None:
        raise ValidationError(
            "Mã xã/phường không có trong danh mục hành chính 2025. Chọn xã/phường mới trong danh "
            "sách, hoặc nhập địa chỉ cũ để tra.",
            param="commune_code",
        )
    tax = validation.tax_code(data.tax_code) if data.tax_code.strip() else None
    if tax and session.scalar(select(Producer.id).where(Producer.tax_code == tax)):
        raise ValidationError(TAX_CODE_TAKEN, param="tax_code")
    phone = validation.phone(data.phone) if data.phone.strip() else ""
    bank_bin, account, holder = _bank_fields(session, data)
    producer = Producer(
        kind=data.kind,
        name=name,
        slug=unique_slug(session, Producer, name),
        tax_code=tax,
        representative=clean_line(data.representative, 120),
        phone=phone,
        commune_code=commune.code,
        province_code=commune.province_code,
        street=clean_line(data.street, 200),
        description=clean_block(data.description),
        bank_bin=bank_bin,
        bank_account=account,
        bank_account_name=holder,
        status=data.status,
        provenance=data.provenance,
        source_ref=data.source_ref,
    )
    session.add(producer)
    session.flush()
    return producer


def _bank_fields(
    session: Session, data: ProducerInput
) -> tuple[str | None, str | None, str | None]:
    if not (data.bank_bin or data.bank_account or data.bank_account_name):
        return None, None, None
    bank_bin = data.bank_bin.strip()
    if not session.scalar(select(Bank.code).where(Bank.bin == bank_bin)):
        raise ValidationError(
            "Chọn ngân hàng trong danh sách (tìm theo tên hoặc mã BIN).", param="bank_bin"
        )
    account = validation.bank_account(data.bank_account)
    holder = clean_line(data.bank_account_name, 120).upper()
    if not holder:
        raise ValidationError("Vui lòng nhập tên chủ tài khoản.", param="bank_account_name")
    return bank_bin, account, holder


@dataclass
class ProductInput:
    """What a person types to add a product."""

    name: str
    set_no: int
    price_vnd: int
    unit: str
    net_quantity: str = ""
    description: str = ""
    stock: int = 0
    weight_grams: int | None = None
    #: package length, width, height in centimetres
    package_cm: tuple[int, int, int] | None = None
    shelf_life: str = ""
    storage_notes: str = ""
    status: str = ProductStatus.DRAFT
    provenance: str = ""
    source_ref: str | None = None


def create_product(session: Session, producer: Producer, data: ProductInput) -> Product:
    """Validate and add a product of ``producer``."""
    name = clean_line(data.name, 200)
    if not name:
        raise ValidationError("Vui lòng nhập tên sản phẩm.", param="name")
    if session.get(OcopSet, data.set_no) is None:
        raise ValidationError("Chọn bộ sản phẩm OCOP trong danh sách.", param="set_no")
    if not isinstance(data.price_vnd, int) or not 0 <= data.price_vnd <= MAX_VND:
        raise ValidationError("Giá phải là số đồng nguyên, không âm.", param="price_vnd")
    if data.stock < 0:
        raise ValidationError("Tồn kho không được âm.", param="stock")
    if data.weight_grams is not None and data.weight_grams <= 0:
        raise ValidationError("Khối lượng phải lớn hơn 0 gam.", param="weight_grams")
    unit = clean_line(data.unit, 40)
    if not unit:
        raise ValidationError("Vui lòng nhập đơn vị bán (chai, hộp, gói…).", param="unit")
    if data.status not in {s.value for s in ProductStatus}:
        raise ValidationError(
            "Trạng thái không hợp lệ. Chọn trạng thái trong danh sách.", param="status"
        )
    product = Product(
        producer=producer,
        name=name,
        slug=unique_slug(session, Product, name),
        set_no=data.set_no,
        description=clean_block(data.description),
        unit=unit,
        net_quantity=clean_line(data.net_quantity, 80),
        price_vnd=data.price_vnd,
        stock=data.stock,
        weight_grams=data.weight_grams,
        length_cm=data.package_cm[0] if data.package_cm else None,
        width_cm=data.package_cm[1] if data.package_cm else None,
        height_cm=data.package_cm[2] if data.package_cm else None,
        shelf_life=clean_line(data.shelf_life, 120),
        storage_notes=clean_line(data.storage_notes, 300),
        status=data.status,
        provenance=data.provenance,
        source_ref=data.source_ref,
    )
    session.add(product)
    session.flush()
    refresh_search(session, product)
    return product


# Buyers say "trà" and "chè" for the same tea; both words find every tea product.
SYNONYMS = {11: "chè trà", 12: "trà chè"}


def refresh_search(session: Session, product: Product) -> None:
    """Recompute the folded search columns from the product, producer, place and class."""
    ocop_set = session.get(OcopSet, product.set_no)
    producer = product.producer
    commune = session.get(Commune, producer.commune_code)
    assert ocop_set is not None and commune is not None
    product.search_name = search_text(product.name)
    product.search_text = search_text(
        product.name,
        SYNONYMS.get(product.set_no, ""),
        producer.name,
        ocop_set.name_vi,
        commune.name,
        commune.province.name,
        product.net_quantity,
        product.description,
    )
    session.flush()


@dataclass
class CertificateInput:
    """A recognition decision as printed on the certificate."""

    stars: int
    decision_number: str
    decision_date: date
    issuing_authority: str
    valid_until: date | None = None
    document_path: str | None = None
    note: str = ""
    date_estimated: bool = False


def add_certificate(
    session: Session, product: Product, data: CertificateInput, today: date
) -> Certificate:
    """Validate and add a certificate; the product's cached stars follow."""
    if data.stars not in (3, 4, 5):
        raise ValidationError("Hạng sao OCOP phải là 3, 4 hoặc 5.", param="stars")
    number = clean_line(data.decision_number, 80)
    if not number:
        raise ValidationError("Vui lòng nhập số quyết định công nhận.", param="decision_number")
    authority = clean_line(data.issuing_authority, 200)
    if not authority:
        raise ValidationError("Vui lòng nhập cơ quan cấp.", param="issuing_authority")
    if data.decision_date > today:
        raise ValidationError("Ngày quyết định không được ở tương lai.", param="decision_date")
    valid_until = data.valid_until or add_months(data.decision_date, VALIDITY_MONTHS)
    if valid_until <= data.decision_date:
        raise ValidationError("Ngày hết hiệu lực phải sau ngày quyết định.", param="valid_until")
    cert = Certificate(
        product=product,
        stars=data.stars,
        decision_number=number,
        decision_date=data.decision_date,
        issuing_authority=authority,
        valid_until=valid_until,
        document_path=data.document_path,
        note=data.note,
        date_estimated=data.date_estimated,
    )
    session.add(cert)
    session.flush()
    session.refresh(product, ["certificates"])
    refresh_certificate_cache(product, today)
    return cert


def refresh_certificate_cache(product: Product, today: date) -> bool:
    """Copy the newest valid certificate's stars onto the product; True if it changed."""
    cert = product.current_certificate(today)
    stars, until = (cert.stars, cert.valid_until) if cert else (None, None)
    if (product.cert_stars, product.cert_valid_until) == (stars, until):
        return False
    product.cert_stars, product.cert_valid_until = stars, until
    return True


def refresh_expired_certificates(session: Session, today: date) -> int:
    """Daily: re-pick the certificate of every product whose cached one lapsed."""
    lapsed = session.scalars(select(Product).where(Product.cert_valid_until < today)).all()
    changed = sum(refresh_certificate_cache(p, today) for p in lapsed)
    session.flush()
    return changed
