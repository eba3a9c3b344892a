"""What every onboarding page shares: the scope guard, step labels and links, rendering a step
with its checklist, re-rendering after a refusal, and the QR images."""

from __future__ import annotations

import base64
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from marketplace.accounts import scope
from marketplace.accounts.models import User
from marketplace.catalogue.labels import KIND_LABELS
from marketplace.core.clock import today
from marketplace.core.db import db
from marketplace.core.errors import AppError
from marketplace.core.text import fold
from marketplace.payments import qr_render
from producers.models import Commune, Producer, Province

from . import services
from .forms import errors_of
from .products import ImageLimits

STEP_LABELS = {
    "identity": _l("Thông tin chủ thể"),
    "address": _l("Địa chỉ"),
    "bank": _l("Tài khoản ngân hàng"),
    "consent": _l("Đồng ý điều khoản"),
    "products": _l("Sản phẩm"),
    "channels": _l("Kết nối kênh bán (không bắt buộc)"),
}
STEP_ENDPOINTS = {
    "identity": "onboarding.identity",
    "address": "onboarding.address",
    "bank": "onboarding.bank",
    "consent": "onboarding.consent",
    "products": "onboarding.products",
}
MISSING_LABELS = {
    "tax_code": _l("mã số thuế"),
    "representative": _l("người đại diện"),
    "phone": _l("số điện thoại"),
    "street": _l("thôn/xóm, số nhà"),
    "address_review": _l("xã cũ đã chia tách: cần người xác minh xã mới"),
    "bank_account": _l("số tài khoản"),
    "bank_verified": _l("chưa quét mã để xác minh tên chủ tài khoản"),
    "consent": _l("chưa đồng ý điều khoản"),
    "consent_version": _l("điều khoản đã thay đổi: cần đồng ý lại"),
    "product": _l("ít nhất một sản phẩm đang bán có giấy chứng nhận OCOP còn hiệu lực"),
}


def actor() -> User:
    """The signed-in person, as the services want them."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def producer_or_404(producer_id: int) -> Producer:
    """The producer, if the person may see it (404 otherwise, so ids do not leak); changing it
    needs the right to act for it (staff only read: 403)."""
    producer = db.session.get(Producer, producer_id)
    if producer is None or not scope.may_see(db.session, current_user, producer_id):
        abort(404)
    if request.method != "GET" and not scope.may_act_for(db.session, current_user, producer_id):
        abort(403)
    return producer


def step_url(step: str | None, producer: Producer) -> str:
    """Where a step is done (the overview once nothing is missing)."""
    if step == "channels":
        return url_for("listings.shops", producer=producer.id)
    if step is None or step not in STEP_ENDPOINTS:
        return url_for("onboarding.overview", producer_id=producer.id)
    return url_for(STEP_ENDPOINTS[step], producer_id=producer.id)


def next_step(producer: Producer) -> ResponseReturnValue:
    """After a saved step: the first required step still missing, else the overview."""
    item = services.checklist(db.session, producer, today()).next_step
    return redirect(step_url(item, producer), 303)


def page(template: str, producer: Producer | None, status: int = 200, **ctx: Any) -> Any:
    """Render a step (or the overview) with the producer's checklist and the labels."""
    checklist = services.checklist(db.session, producer, today()) if producer else None
    may_act = producer is None or scope.may_act_for(db.session, current_user, producer.id)
    values = {"form": {}, "errors": {}, **ctx}
    return render_template(
        template,
        producer=producer,
        checklist=checklist,
        step_labels=STEP_LABELS,
        missing_labels=MISSING_LABELS,
        kind_labels=KIND_LABELS,
        step_url=step_url,
        may_act=may_act,
        **values,
    ), status


def refused(producer: Producer | None, exc: AppError) -> dict[str, Any]:
    """Undo the attempt (nothing half-written) and give the page its status and errors."""
    db.rollback()
    if producer is not None:
        db.session.refresh(producer)
    return {"status": exc.status, "errors": errors_of(exc)}


def image_limits() -> ImageLimits:
    """The app's image limits."""
    cfg = current_app.config
    small, large = cfg["IMAGE_THUMB_SIZES"]
    return ImageLimits(cfg["IMAGE_MAX_BYTES"], cfg["IMAGE_MAX_PIXELS"], (small, large))


def qr_data_uri(payload: str) -> str:
    """A QR code as an ``<img>`` source (the CSP allows ``data:`` images)."""
    svg = qr_render.render_svg(payload, box_size=6)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def places(province_code: str | None) -> dict[str, Any]:
    """Provinces, and the communes of the chosen province (so the picker works without JS)."""
    provinces = sorted(db.session.scalars(select(Province)), key=lambda p: fold(p.short_name))
    communes: list[Commune] = []
    if province_code:
        communes = sorted(
            db.session.scalars(select(Commune).where(Commune.province_code == province_code)),
            key=lambda c: fold(c.short_name),
        )
    return {"provinces": provinces, "communes": communes, "province_code": province_code or ""}
