"""Display labels that come from data values, marked for translation."""

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "cooperative": _l("Hợp tác xã"),
    "enterprise": _l("Doanh nghiệp"),
    "household": _l("Hộ kinh doanh"),
}
