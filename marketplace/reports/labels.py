"""Display labels of the data values the reports group by, marked for translation."""

from flask_babel import lazy_gettext as _l

PRODUCER_STATUS = {
    "draft": _l("Nháp"),
    "onboarding": _l("Đang hỗ trợ"),
    "active": _l("Đang hoạt động"),
    "suspended": _l("Tạm ngưng"),
}
PRODUCT_STATUS = {
    "draft": _l("Nháp"),
    "published": _l("Đang hiển thị"),
    "hidden": _l("Đã ẩn"),
}
ORDER_STATUS = {
    "awaiting_payment": _l("Chờ thanh toán"),
    "partially_paid": _l("Thanh toán một phần"),
    "paid": _l("Đã thanh toán"),
    "expired": _l("Hết hạn"),
    "canceled": _l("Đã huỷ"),
    "refunded": _l("Đã hoàn tiền"),
}
FEE_STATUS = {
    "unpaid": _l("Chưa nộp"),
    "paid": _l("Đã nộp"),
    "canceled": _l("Đã huỷ"),
}
FEE_KIND = {
    "onboarding": _l("Phí tham gia"),
    "yearly": _l("Phí hằng năm"),
    "listing": _l("Phí đăng sản phẩm"),
    "other": _l("Khác"),
}
KIND = {
    "cooperative": _l("Hợp tác xã"),
    "enterprise": _l("Doanh nghiệp"),
    "household": _l("Hộ kinh doanh"),
}
CERT_STATE = {
    "valid": _l("Còn hiệu lực"),
    "expired": _l("Hết hiệu lực"),
    "none": _l("Chưa có"),
}


def label(table: dict[str, object], value: str | None) -> str:
    """The translated label of a value, or the value itself when unknown."""
    return str(table.get(value or "", value or ""))
