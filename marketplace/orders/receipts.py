"""Payment confirmations (not a biên lai, not an e-invoice): printable page and PDF."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.core.clock import VIETNAM
from marketplace.core.errors import NotFound
from marketplace.core.money import format_vnd
from marketplace.core.pdf import A5_MM, pdf_bytes
from marketplace.payments.models import IntentStatus, PaymentApplication, PaymentIntent
from producers.refdata import data_file

from .models import Order


def paid_order(session: Session, token: str, number: str) -> tuple[Order, PaymentIntent]:
    """The order of a checkout with a succeeded payment, or NotFound."""
    order = session.scalar(
        select(Order).where(Order.checkout_token == token, Order.number == number)
    )
    intent = (
        session.scalar(select(PaymentIntent).where(PaymentIntent.order_id == order.id))
        if order
        else None
    )
    if (
        order is None
        or intent is None
        or intent.status not in (IntentStatus.SUCCEEDED, IntentStatus.REFUNDED)
    ):
        raise NotFound(
            "Chưa có xác nhận thanh toán cho đơn hàng này: xác nhận có khi tiền về. Mở lại trang "
            "đơn hàng để xem trạng thái.",
            param="number",
        )
    return order, intent


def bank_references(session: Session, intent: PaymentIntent) -> list[str]:
    """The bank references of the transfers that paid ``intent``."""
    rows = session.scalars(
        select(PaymentApplication).where(PaymentApplication.intent_id == intent.id)
    )
    return [a.transaction.bank_reference or a.transaction.provider_transaction_id for a in rows]


def receipt_pdf(order: Order, intent: PaymentIntent) -> bytes:
    """A one-page A5 PDF confirming the payment."""
    width, height = 1240, 1748  # A5 at 150 dpi
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    font_path = str(data_file("DejaVuSans-Bold.ttf"))
    big, body = ImageFont.truetype(font_path, 44), ImageFont.truetype(font_path, 28)
    y = 80
    draw.text((80, y), "XÁC NHẬN THANH TOÁN", font=big, fill="black")
    y += 90
    paid_at = (
        intent.succeeded_at.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")
        if intent.succeeded_at
        else ""
    )
    lines = [
        f"Đơn hàng: {order.number}",
        f"Người bán: {order.producer.name}",
        f"Tài khoản nhận: {intent.payee_account} ({intent.payee_name})",
        f"Người mua: {order.buyer_name} — {order.buyer_phone}",
        f"Giao đến: {order.address}",
        "",
    ]
    lines += [
        f"{i.quantity} × {i.name} ({format_vnd(i.price_vnd)})  = {format_vnd(i.line_total)}"
        for i in order.items
    ]
    lines += [
        "",
        f"Tổng cộng: {format_vnd(order.total_vnd)}",
        f"Đã nhận: {format_vnd(intent.amount_received_vnd)}",
        f"Thời điểm thanh toán: {paid_at}",
        "",
        "Chứng từ này xác nhận khoản chuyển khoản; không phải hoá đơn GTGT.",
    ]
    for line in lines:
        for chunk in _wrap(line, 60):
            draw.text((80, y), chunk, font=body, fill="black")
            y += 44
    return pdf_bytes(page, A5_MM, [[(0, 0, *A5_MM)]], f"Xác nhận thanh toán {order.number}")


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]
