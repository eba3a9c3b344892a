"""The dashboard's numbers as figures to show: a title, a chart, and the table of the same
numbers (every chart has its table), with a plain sentence when there is nothing to count."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from markupsafe import Markup

from marketplace.core.money import format_vnd
from marketplace.listings.accounts import channel_name
from sync_adapters import registry

from . import labels
from .charts import PALETTE, Row, Series, bar_chart
from .queries import MANUAL_PROVIDER, Dashboard

#: the chart shows this many places at most (the table lists all of them)
CHART_ROWS = 30
STATUS_ORDER = ("draft", "onboarding", "active", "suspended")
STATUS_COLORS = ("#999999", "#E69F00", "#009E73", "#D55E00")
STAR_COLORS = ("#56B4E9", "#0072B2", "#E69F00")


@dataclass
class Cell:
    text: str
    number: bool = False
    href: str | None = None


@dataclass
class Figure:
    key: str
    #: the name in the page's table of contents
    short: str
    title: str
    head: list[str]
    rows: list[list[Cell]]
    foot: list[Cell] | None = None
    chart: Markup | None = None
    lead: str = ""
    notes: list[str] = field(default_factory=list)
    empty: str = ""


def num(n: float) -> str:
    """A count in the page's locale (1.234 in Vietnamese)."""
    return str(format_decimal(n))


def pct(part: int, whole: int) -> str:
    """A share like ``45,5 %``; an en dash when there is nothing to divide."""
    return str(format_percent(part / whole, "#,##0.0 %")) if whole else "–"


def _n(value: int) -> Cell:
    return Cell(num(value), number=True)


def _money(value: int) -> Cell:
    return Cell(format_vnd(value), number=True)


def _describe() -> str:
    return _("Biểu đồ cột ngang; số liệu chi tiết ở bảng ngay bên dưới.")


def places(d: Dashboard, link: Callable[[str], str]) -> Figure:
    """Producers by status per province (or per commune of the chosen province)."""
    title = (
        _("Chủ thể theo trạng thái, theo xã/phường")
        if d.filters.by_commune
        else _("Chủ thể theo trạng thái, theo tỉnh/thành")
    )
    status_names = [labels.label(labels.PRODUCER_STATUS, s) for s in STATUS_ORDER]
    head = [_("Địa bàn"), *status_names, _("Tổng"), _("Sản phẩm OCOP"), _("Đang bán trên sàn")]
    rows, totals = [], [0] * (len(STATUS_ORDER) + 3)
    for place in d.places:
        values = [place.producers.get(s, 0) for s in STATUS_ORDER]
        values += [place.total_producers, place.ocop_products, place.listed_products]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        rows.append([Cell(place.name, href=link(place.code)), *map(_n, values)])
    figure = Figure("dia-ban", _("Chủ thể"), title, head, rows, [Cell(_("Tổng")), *map(_n, totals)])
    if not d.places:
        figure.empty = _("Chưa có chủ thể nào trong phạm vi đã chọn.")
        return figure
    series = [Series(n, c) for n, c in zip(status_names, STATUS_COLORS, strict=True)]
    shown = d.places[:CHART_ROWS]
    figure.chart = bar_chart(
        "chart-dia-ban",
        title,
        [Row(p.name, [p.producers.get(s, 0) for s in STATUS_ORDER]) for p in shown],
        series,
        fmt=num,
        description=_describe(),
    )
    if len(d.places) > CHART_ROWS:
        figure.notes.append(
            _("Biểu đồ chỉ vẽ %(n)s địa bàn có nhiều chủ thể nhất; bảng có đủ.", n=CHART_ROWS)
        )
    return figure


def groups(d: Dashboard, locale: str) -> Figure:
    """OCOP products by group and current stars."""
    title = _("Sản phẩm OCOP theo nhóm và hạng sao")
    star_names = [_("%(n)s sao", n=s) for s in (3, 4, 5)]
    head = [_("Nhóm OCOP"), *star_names, _("Tổng OCOP"), _("Không có giấy chứng nhận còn hiệu lực")]
    rows, totals = [], [0] * 5
    for group in d.groups:
        stars = [group.stars.get(s, 0) for s in (3, 4, 5)]
        values = [*stars, sum(stars), group.stars.get(0, 0)]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        rows.append([Cell(group.name(locale)), *map(_n, values)])
    figure = Figure(
        "nhom-sao", _("Hạng sao"), title, head, rows, [Cell(_("Tổng")), *map(_n, totals)]
    )
    figure.lead = _(
        "Chỉ tính sao của giấy chứng nhận còn hiệu lực đến hôm nay (%(day)s).",
        day=d.day.strftime("%d/%m/%Y"),
    )
    if totals[3] == 0:
        figure.empty = _("Chưa có sản phẩm OCOP nào có giấy chứng nhận còn hiệu lực.")
        return figure
    series = [Series(n, c) for n, c in zip(star_names, STAR_COLORS, strict=True)]
    chart_rows = [Row(g.name(locale), [g.stars.get(s, 0) for s in (3, 4, 5)]) for g in d.groups]
    figure.chart = bar_chart(
        "chart-nhom-sao", title, chart_rows, series, fmt=num, description=_describe()
    )
    return figure


def channel_codes() -> list[str]:
    """Every channel the platform lists on: API channels first, then export channels."""
    channels = registry.channels()
    return sorted(channels, key=lambda c: (str(channels[c].kind), channel_name(c)))


def listings(d: Dashboard) -> Figure:
    """Share of OCOP products live on at least one marketplace, and on each channel."""
    title = _("Sản phẩm OCOP đang bán trên sàn thương mại điện tử")
    head = [_("Kênh"), _("Sản phẩm OCOP đang bán"), _("Tỷ lệ")]
    whole = d.ocop_products
    entries = [(_("Ít nhất một sàn"), d.listed_products)]
    codes = channel_codes() + sorted(set(d.channels) - set(registry.channels()))
    entries += [(channel_name(code), d.channels.get(code, 0)) for code in codes]
    rows = [[Cell(name), _n(n), Cell(pct(n, whole), number=True)] for name, n in entries]
    figure = Figure("kenh-ban", _("Trên sàn"), title, head, rows)
    figure.lead = _(
        "%(listed)s trên %(total)s sản phẩm OCOP (%(share)s) đang bán trên ít nhất một sàn.",
        listed=num(d.listed_products),
        total=num(whole),
        share=pct(d.listed_products, whole),
    )
    if whole == 0:
        figure.empty = _("Chưa có sản phẩm OCOP nào có giấy chứng nhận còn hiệu lực.")
        return figure
    if d.listed_products == 0:
        figure.notes.append(_("Chưa có sản phẩm OCOP nào đang bán trên sàn: mọi số liệu bằng 0."))
    figure.chart = bar_chart(
        "chart-kenh-ban",
        title,
        [Row(name, [100 * n / whole]) for name, n in entries],
        [Series(_("Tỷ lệ"), PALETTE[0])],
        fmt=lambda v: str(format_percent(v / 100, "#,##0.0 %")),
        scale_max=100,
        description=_describe(),
    )
    return figure


def orders(d: Dashboard) -> Figure:
    """Orders placed within the dates, by status."""
    title = _("Đơn hàng theo trạng thái")
    head = [_("Trạng thái"), _("Số đơn"), _("Giá trị")]
    statuses = list(labels.ORDER_STATUS) + sorted(set(d.orders) - set(labels.ORDER_STATUS))
    counts = {s: d.orders.get(s, (0, 0)) for s in statuses}
    rows = [
        [Cell(labels.label(labels.ORDER_STATUS, s)), _n(counts[s][0]), _money(counts[s][1])]
        for s in statuses
    ]
    count = sum(c for c, _v in d.orders.values())
    value = sum(v for _c, v in d.orders.values())
    figure = Figure(
        "don-hang", _("Đơn hàng"), title, head, rows, [Cell(_("Tổng")), _n(count), _money(value)]
    )
    paid, paid_value = d.orders.get("paid", (0, 0))
    figure.lead = _(
        "%(paid)s đơn (%(value)s) đã thanh toán bằng VietQR, trên tổng %(count)s đơn.",
        paid=num(paid),
        value=format_vnd(paid_value),
        count=num(count),
    )
    if not count:
        figure.empty = _("Chưa có đơn hàng nào trong phạm vi và thời gian đã chọn.")
        return figure
    figure.chart = bar_chart(
        "chart-don-hang",
        title,
        [Row(labels.label(labels.ORDER_STATUS, s), [counts[s][0]]) for s in statuses],
        [Series(_("Số đơn"), PALETTE[0])],
        fmt=num,
        description=_describe(),
    )
    return figure


def cashless(d: Dashboard) -> Figure:
    """Money received for orders, by how the bank transfer reached the ledger."""
    title = _("Tiền nhận cho đơn hàng và tỷ lệ không dùng tiền mặt")
    head = [_("Cách ghi nhận"), _("Số giao dịch"), _("Số tiền"), _("Tỷ lệ")]
    manual = d.money.get(MANUAL_PROVIDER, (0, 0))
    notified = (
        sum(n for p, (n, _v) in d.money.items() if p != MANUAL_PROVIDER),
        sum(v for p, (_c, v) in d.money.items() if p != MANUAL_PROVIDER),
    )
    # every row of the ledger is a bank transfer (there is no cash entry): a hand-recorded one
    # carries the bank's own transaction reference, so all of it counts as cashless
    received = notified[1] + manual[1]
    cashless_amount = received
    entries = [
        (_("Chuyển khoản, ngân hàng báo tự động"), notified),
        (_("Chuyển khoản, chủ thể tự ghi"), manual),
    ]
    rows = [
        [Cell(name), _n(n), _money(v), Cell(pct(v, received), number=True)]
        for name, (n, v) in entries
    ]
    foot = [
        Cell(_("Tổng")),
        _n(notified[0] + manual[0]),
        _money(received),
        Cell(pct(received, received), number=True),
    ]
    figure = Figure("khong-tien-mat", _("Không tiền mặt"), title, head, rows, foot)
    figure.lead = _(
        "Tỷ lệ không dùng tiền mặt: %(share)s (%(cashless)s trên %(received)s đã nhận).",
        share=pct(cashless_amount, received),
        cashless=format_vnd(cashless_amount),
        received=format_vnd(received),
    )
    figure.notes.append(
        _(
            "Chợ OCOP chỉ nhận tiền bằng chuyển khoản VietQR vào tài khoản của chủ thể; khoản "
            "chủ thể tự ghi cũng là chuyển khoản có mã giao dịch ngân hàng."
        )
    )
    if not received:
        figure.empty = _(
            "Chưa nhận khoản tiền nào cho đơn hàng trong phạm vi và thời gian đã chọn."
        )
        return figure
    figure.chart = bar_chart(
        "chart-khong-tien-mat",
        title,
        [Row(name, [v]) for name, (_c, v) in entries],
        [Series(_("Số tiền"), PALETTE[2])],
        fmt=format_vnd,
        description=_describe(),
    )
    return figure


def fees(d: Dashboard) -> Figure:
    """Fees charged within the dates: paid and still owed, per kind."""
    title = _("Phí: đã nộp và còn phải nộp")
    head = [_("Loại phí"), _("Số khoản"), _("Đã nộp"), _("Chưa nộp")]
    rows, chart_rows, totals = [], [], [0, 0, 0]
    for kind in labels.FEE_KIND:
        paid_n, paid = d.fees.get((kind, "paid"), (0, 0))
        owed_n, owed = d.fees.get((kind, "unpaid"), (0, 0))
        if not paid_n and not owed_n:
            continue
        name = labels.label(labels.FEE_KIND, kind)
        totals = [totals[0] + paid_n + owed_n, totals[1] + paid, totals[2] + owed]
        rows.append([Cell(name), _n(paid_n + owed_n), _money(paid), _money(owed)])
        chart_rows.append(Row(name, [paid, owed]))
    foot = [Cell(_("Tổng")), _n(totals[0]), _money(totals[1]), _money(totals[2])]
    figure = Figure("phi", _("Phí"), title, head, rows, foot)
    canceled = sum(n for (_k, s), (n, _v) in d.fees.items() if s == "canceled")
    if canceled:
        figure.notes.append(_("Không tính %(n)s khoản phí đã huỷ.", n=num(canceled)))
    if not rows:
        figure.empty = _("Chưa có khoản phí nào trong phạm vi và thời gian đã chọn.")
        return figure
    series = [Series(_("Đã nộp"), "#009E73"), Series(_("Chưa nộp"), "#D55E00")]
    figure.chart = bar_chart(
        "chart-phi", title, chart_rows, series, fmt=format_vnd, description=_describe()
    )
    return figure


def onboarding(d: Dashboard) -> Figure:
    """Producers per onboarder, by status, and the share already active."""
    title = _("Tiến độ hỗ trợ theo người hỗ trợ")
    status_names = [labels.label(labels.PRODUCER_STATUS, s) for s in STATUS_ORDER]
    head = [_("Người hỗ trợ"), *status_names, _("Tổng"), _("Đã hoạt động")]
    rows, chart_rows = [], []
    for person in d.onboarders:
        name = person.name if person.user_id is not None else _("Chưa có người hỗ trợ")
        values = [person.producers.get(s, 0) for s in STATUS_ORDER]
        active = person.producers.get("active", 0)
        rows.append(
            [
                Cell(name),
                *map(_n, values),
                _n(person.total),
                Cell(pct(active, person.total), number=True),
            ]
        )
        chart_rows.append(Row(name, values))
    figure = Figure("ho-tro", _("Người hỗ trợ"), title, head, rows)
    if d.idle_onboarders:
        figure.notes.append(
            _("Chưa hỗ trợ chủ thể nào: %(names)s.", names=", ".join(d.idle_onboarders))
        )
    if not rows:
        figure.empty = _("Chưa có chủ thể nào trong phạm vi đã chọn.")
        return figure
    series = [Series(n, c) for n, c in zip(status_names, STATUS_COLORS, strict=True)]
    figure.chart = bar_chart(
        "chart-ho-tro", title, chart_rows[:CHART_ROWS], series, fmt=num, description=_describe()
    )
    return figure


def all_figures(d: Dashboard, locale: str, link: Callable[[str], str]) -> Sequence[Figure]:
    """The page's figures, in reading order."""
    return [
        places(d, link),
        groups(d, locale),
        listings(d),
        orders(d),
        cashless(d),
        fees(d),
        onboarding(d),
    ]
