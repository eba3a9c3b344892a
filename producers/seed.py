"""Demo data: the 30 real OCOP products of ``sample_products.json``, their producers,
certificates and generated placeholder images. Idempotent: keyed by ``source_ref``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.storage import MediaStorage
from marketplace.core.text import fold, slugify

from . import services
from .images import add_image
from .models import OcopGroup, OcopSet, Producer, ProducerStatus, Product, ProductStatus
from .placeholders import placeholder_png
from .refdata import data_file

KIND_BY_SAMPLE = {"htx": "cooperative", "hkd": "household", "dn": "enterprise"}
# Demo payee accounts: real bank BINs, invented account numbers (the sandbox bank pays them).
DEMO_BANKS = ("970436", "970405", "970418", "970415", "970422")
SERVICE_SET_NO = 26  # community tourism: a service, nothing to ship


@dataclass
class SeedReport:
    producers_created: int = 0
    bank_accounts_set: int = 0
    products_created: int = 0
    certificates_created: int = 0
    images_created: int = 0

    @property
    def changed(self) -> bool:
        return any(vars(self).values())


def _load() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    with data_file("sample_products.json").open(encoding="utf-8") as fh:
        samples = json.load(fh)["products"]
    with data_file("demo_certificates.json").open(encoding="utf-8") as fh:
        extra = json.load(fh)
    return samples, extra


def _weight_grams(package: str, set_no: int) -> int | None:
    """Plausible shipping weight from a pack size ("500 ml", "1 lít", "hộp 200 g")."""
    if set_no == SERVICE_SET_NO:
        return None
    match = re.search(r"(\d+(?:[.,]\d+)?)\s*(kg|g|ml|lít|l)\b", package)
    if not match:
        return 500
    amount = float(match.group(1).replace(",", "."))
    unit = match.group(2)
    grams = amount * (1000 if unit in ("kg", "lít", "l") else 1)
    return int(grams) + 100  # packaging


def _shelf_life(group_code: str) -> str:
    """A typical shelf life for the group (demo estimate; the label of the real product rules)."""
    return {
        "1": "12 tháng kể từ ngày sản xuất",
        "2": "24 tháng kể từ ngày sản xuất",
        "3": "24 tháng kể từ ngày sản xuất",
    }.get(group_code, "")


def _package_cm(weight: int | None) -> tuple[int, int, int] | None:
    """A plausible carton for the weight (demo estimate: a cube of ~1 kg per litre)."""
    if weight is None:
        return None
    side = max(8, round((weight / 1.0) ** (1 / 3)))  # grams ~ cm³
    return side + 2, side, side


def _provenance(sample: dict[str, Any], extra_note: str = "") -> str:
    prov = sample["provenance"]
    parts = [
        "Dữ liệu mẫu (demo) từ nguồn công khai.",
        "Trường có nguồn: " + ", ".join(prov["sourced_fields"]) + ".",
        "Trường minh hoạ (không phải dữ liệu thật): "
        + ", ".join([*prov["filler_fields"], "weight", "package_size", "shelf_life"])
        + ".",
    ]
    if prov.get("notes"):
        parts.append(prov["notes"])
    if extra_note:
        parts.append(extra_note)
    parts.append("Nguồn: " + "; ".join(prov["sources"]))
    return "\n".join(parts)


def _description(sample: dict[str, Any]) -> str:
    ocop = sample["ocop"]
    text = (
        f"{sample['name_vi']} — sản phẩm OCOP nhóm {ocop['group_vi']}, "
        f"phân nhóm {ocop['subgroup_vi']}. Quy cách: {sample['package']}.\n"
        f"Địa chỉ trước sáp nhập: {sample['address_legacy_pre_2025']}."
    )
    return text


def _set_demo_bank_account(producer: Producer, n: int) -> None:
    """An invented account at a real bank, marked as demo in the producer's provenance."""
    digest = int(hashlib.sha256(producer.name.encode()).hexdigest(), 16)
    producer.bank_bin = DEMO_BANKS[digest % len(DEMO_BANKS)]
    producer.bank_account = f"{digest % 10**12:012d}"
    producer.bank_account_name = fold(producer.name).upper()[:120]
    producer.provenance += "\nTài khoản ngân hàng: số tài khoản minh hoạ (demo), không có thật."


def seed_demo(
    session: Session, storage: MediaStorage, today: date, image_config: dict[str, Any]
) -> SeedReport:
    """Create whatever of the demo catalogue is missing; running it twice changes nothing."""
    samples, extra = _load()
    report = SeedReport()
    producers: dict[str, Producer] = {
        p.source_ref: p
        for p in session.scalars(select(Producer).where(Producer.source_ref.like("sample:%")))
        if p.source_ref
    }
    for index, sample in enumerate(samples):
        producer_ref = "sample:" + slugify(sample["producer"]["name"])[:30]
        producer = producers.get(producer_ref)
        if producer is None:
            commune_code = f"{int(sample['address_new']['commune_code_gso']):05d}"
            producer = services.create_producer(
                session,
                services.ProducerInput(
                    kind=KIND_BY_SAMPLE[sample["producer"]["type"]],
                    name=sample["producer"]["name"],
                    commune_code=commune_code,
                    street=extra["streets"].get(sample["id"], ""),
                    description=f"{sample['producer']['type_vi']} tại {sample['address_legacy_pre_2025']}.",
                    status=ProducerStatus.ACTIVE,
                    provenance=_provenance(sample),
                    source_ref=producer_ref,
                ),
            )
            producers[producer_ref] = producer
            report.producers_created += 1
        if producer.bank_account is None:
            _set_demo_bank_account(producer, len(producers))
            report.bank_accounts_set += 1
        product = session.scalar(
            select(Product).where(Product.source_ref == f"sample:{sample['id']}")
        )
        cert_info = extra["certificates"][sample["id"]]
        if product is None:
            ocop = sample["ocop"]
            product = services.create_product(
                session,
                producer,
                services.ProductInput(
                    name=sample["name_vi"],
                    set_no=ocop["set_no"],
                    price_vnd=int(sample["retail_price_vnd"]),
                    unit=sample["unit"],
                    net_quantity=sample["package"],
                    description=_description(sample),
                    stock=20 + (index * 37) % 180,
                    weight_grams=_weight_grams(sample["package"], ocop["set_no"]),
                    shelf_life=_shelf_life(ocop["group_code"]),
                    package_cm=_package_cm(_weight_grams(sample["package"], ocop["set_no"])),
                    status=ProductStatus.PUBLISHED,
                    provenance=_provenance(sample, cert_info["date_source"]),
                    source_ref=f"sample:{sample['id']}",
                ),
            )
            report.products_created += 1
        if not product.certificates:
            services.add_certificate(
                session,
                product,
                services.CertificateInput(
                    stars=int(cert_info.get("stars") or sample["ocop"]["stars"]),
                    decision_number=cert_info["decision_number"],
                    decision_date=date.fromisoformat(cert_info["decision_date"]),
                    issuing_authority=cert_info["issuing_authority"],
                    note=cert_info["date_source"],
                    date_estimated=cert_info["date_estimated"],
                ),
                today,
            )
            report.certificates_created += 1
        if not product.images:
            ocop_set = session.get(OcopSet, product.set_no)
            group = session.get(OcopGroup, ocop_set.group_code) if ocop_set else None
            png = placeholder_png(
                product.name, group.name_vi if group else "", group.code if group else ""
            )
            add_image(
                session,
                storage,
                product,
                png,
                alt=f"Ảnh minh hoạ: {product.name}",
                is_placeholder=True,
                **image_config,
            )
            report.images_created += 1
    session.flush()
    return report
