"""Parsing the onboarding forms: text fields as typed (kept for re-rendering), numbers, dates and
uploaded files converted, every conversion problem reported at once in Vietnamese."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, Self

from marketplace.core.errors import AppError, ValidationError
from marketplace.core.money import parse_vnd
from marketplace.core.text import clean_line


class FormErrors(ValidationError):
    """Several fields wrong at once: ``errors`` maps each field to its Vietnamese message."""

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors))
        super().__init__(errors[first], param=first)
        self.errors = errors


def errors_of(exc: AppError) -> dict[str, str]:
    """Field -> message for any application error (a single one names its ``param``)."""
    return dict(getattr(exc, "errors", None) or {exc.param or "form": exc.message})


class _Upload(Protocol):
    filename: str | None

    def read(self) -> bytes: ...


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


class _TextForm:
    """A step whose fields are all text, kept as typed (the services validate them)."""

    @classmethod
    def parse(cls, form: Mapping[str, Any]) -> Self:
        """Fields as typed."""
        return cls(**{f: _text(form, f) for f in cls.__dataclass_fields__})  # type: ignore[attr-defined]


@dataclass
class IdentityForm(_TextForm):
    """Step 1: who the producer is (and, for a new one, its commune)."""

    kind: str = ""
    name: str = ""
    tax_code: str = ""
    representative: str = ""
    phone: str = ""
    commune_code: str = ""
    #: a new producer's street line (optional here: the address step asks for it if missing)
    street: str = ""


@dataclass
class AddressForm(_TextForm):
    """Step 2: the street line, and a commune picked or a pre-2025 address typed."""

    commune_code: str = ""
    street: str = ""
    legacy: str = ""


@dataclass
class BankForm(_TextForm):
    """Step 3: bank (by BIN), account number, holder name."""

    bank_bin: str = ""
    bank_account: str = ""
    bank_account_name: str = ""


def _int(form: Mapping[str, Any], name: str, errors: dict[str, str], message: str) -> int | None:
    raw = _text(form, name).strip().replace(".", "").replace(" ", "")
    if not raw:
        return None
    if not raw.isdigit():
        errors[name] = message
        return None
    return int(raw)


def _date(form: Mapping[str, Any], name: str, errors: dict[str, str]) -> date | None:
    raw = _text(form, name).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    errors[name] = "Nhập ngày quyết định theo dạng ngày/tháng/năm, ví dụ 15/03/2024."
    return None


def _file(files: Mapping[str, Any], name: str) -> bytes:
    upload: _Upload | None = files.get(name)
    if upload is None or not upload.filename:
        return b""
    return upload.read()


@dataclass
class CertificateForm:
    """An OCOP certificate as printed, with its photographed scan."""

    stars: int | None
    decision_number: str
    decision_date: date | None
    issuing_authority: str
    scan: bytes

    @classmethod
    def parse(
        cls, form: Mapping[str, Any], files: Mapping[str, Any], errors: dict[str, str]
    ) -> CertificateForm:
        """Convert; problems go into ``errors``."""
        stars = _int(form, "stars", errors, "Chọn hạng sao OCOP (3, 4 hoặc 5).")
        if stars not in (3, 4, 5):
            errors["stars"] = "Chọn hạng sao OCOP (3, 4 hoặc 5)."
        number = clean_line(_text(form, "decision_number"), 80)
        if not number:
            errors["decision_number"] = "Vui lòng nhập số quyết định công nhận."
        authority = clean_line(_text(form, "issuing_authority"), 200)
        if not authority:
            errors["issuing_authority"] = "Vui lòng nhập cơ quan cấp (ví dụ UBND tỉnh Thái Nguyên)."
        scan = _file(files, "scan")
        if not scan:
            errors["scan"] = "Chụp hoặc chọn ảnh giấy chứng nhận OCOP."
        return cls(stars, number, _date(form, "decision_date", errors), authority, scan)

    @classmethod
    def parse_alone(cls, form: Mapping[str, Any], files: Mapping[str, Any]) -> CertificateForm:
        """Convert a certificate form of its own; raises FormErrors naming every bad field."""
        errors: dict[str, str] = {}
        parsed = cls.parse(form, files, errors)
        if errors:
            raise FormErrors(errors)
        return parsed


@dataclass
class ProductForm:
    """Step 5: one product with its photo and its certificate."""

    name: str
    set_no: int | None
    price_vnd: int | None
    unit: str
    net_quantity: str
    stock: int
    weight_grams: int | None
    description: str
    photo: bytes
    certificate: CertificateForm

    @classmethod
    def parse(
        cls,
        form: Mapping[str, Any],
        files: Mapping[str, Any],
        weightless_sets: Collection[int] = (),
    ) -> ProductForm:
        """Convert everything; raises FormErrors naming every field that is wrong at once
        (``weightless_sets``: the sets, services, that ship nothing and need no weight)."""
        errors: dict[str, str] = {}
        name = clean_line(_text(form, "name"), 200)
        if not name:
            errors["name"] = "Vui lòng nhập tên sản phẩm."
        set_no = _int(form, "set_no", errors, "Chọn bộ sản phẩm OCOP.")
        if set_no is None:
            errors["set_no"] = "Chọn bộ sản phẩm OCOP."
        price = None
        with contextlib.suppress(ValueError):
            price = parse_vnd(_text(form, "price_vnd"))
        if price is None:
            errors["price_vnd"] = "Nhập giá bán là số đồng nguyên, ví dụ 120.000."
        unit = clean_line(_text(form, "unit"), 40)
        if not unit:
            errors["unit"] = "Vui lòng nhập đơn vị bán (chai, hộp, gói…)."
        stock = _int(form, "stock", errors, "Tồn kho phải là số nguyên không âm.")
        weight = _int(form, "weight_grams", errors, "Khối lượng là số gam nguyên, ví dụ 500.")
        if weight == 0:
            errors["weight_grams"] = "Khối lượng phải lớn hơn 0 gam."
        elif weight is None and "weight_grams" not in errors and set_no not in weightless_sets:
            errors["weight_grams"] = "Nhập khối lượng (gam) để tính phí giao hàng."
        photo = _file(files, "photo")
        if not photo:
            errors["photo"] = "Chụp hoặc chọn ít nhất một ảnh sản phẩm."
        certificate = CertificateForm.parse(form, files, errors)
        if errors:
            raise FormErrors(errors)
        return cls(
            name=name,
            set_no=set_no,
            price_vnd=price,
            unit=unit,
            net_quantity=clean_line(_text(form, "net_quantity"), 80),
            stock=stock or 0,
            weight_grams=weight,
            description=_text(form, "description"),
            photo=photo,
            certificate=certificate,
        )
