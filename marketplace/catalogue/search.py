"""Storefront search: one results contract on SQLite and PostgreSQL.

Both the stored ``search_text`` and the query are folded in Python (``core.text``). A product
matches when every query word is a prefix of some word of its text. SQLite reads products
joined to producers and finds candidates with FTS5; PostgreSQL reads the narrow table
``product_search`` (the words as a GIN-indexed tsvector, prefix query ``'word':*``, no parser or
dictionary in between, and a copy of the filtered and sorted columns): see ``search_source``.
Ranking is the same portable SQL on both: words found in the product name first, then stars,
then id; so the same query gives the same ordered list on either database. When nothing matches exactly, each query
word no product has is replaced by its likeliest spellings (``fuzzy``: at most 3 vocabulary
words 1-2 edits away, closest then commonest) and the search runs again, the same on both.

One statement ranks the matching ids and counts them (a count of the materialised matches,
cheaper than ``count(*) OVER ()``); only the page's products are then loaded, so the sort never
carries whole product rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, literal, or_, select
from sqlalchemy.orm import Session

from marketplace.core.errors import ValidationError
from marketplace.core.money import parse_vnd
from marketplace.core.text import has_control_chars, tokens
from producers.models import OcopSet, ProducerKind, Product

from . import fuzzy
from .search_source import Source, Terms, source

SORTS = ("relevance", "price_asc", "price_desc", "stars", "newest", "name")
MAX_TOKENS = 8
MAX_TOKEN_CHARS = 40
MAX_CORRECTIONS = 3  # spellings tried per misspelt word


@dataclass
class SearchQuery:
    """Validated search parameters."""

    q: str = ""
    province: str | None = None
    commune: str | None = None
    group: str | None = None
    min_stars: int | None = None
    kind: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 24
    words: list[str] = field(default_factory=list)

    def is_filtered(self) -> bool:
        return bool(
            self.words
            or self.province
            or self.commune
            or self.group
            or self.min_stars
            or self.kind
            or self.price_min is not None
            or self.price_max is not None
        )


@dataclass
class SearchResult:
    items: list[Product]
    total: int
    page: int
    per_page: int
    #: approximate results: some query words were replaced, see ``corrections``
    fuzzy: bool = False
    #: misspelt query word -> the spellings searched instead ("Hiển thị kết quả cho …")
    corrections: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _int(args: Mapping[str, Any], name: str, low: int, high: int) -> int | None:
    raw = args.get(name)
    if isinstance(raw, str):
        raw = raw.strip()
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(f"Giá trị '{name}' phải là số nguyên.", param=name) from None
    if not low <= value <= high:
        raise ValidationError(f"Giá trị '{name}' phải từ {low} đến {high}.", param=name)
    return value


def _code(args: Mapping[str, Any], name: str, length: int) -> str | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= length):
        raise ValidationError(
            f"Mã '{name}' không hợp lệ. Chọn lại trong bộ lọc, hoặc bỏ bộ lọc này.", param=name
        )
    return raw.zfill(length)


def _price(args: Mapping[str, Any], name: str) -> int | None:
    try:
        return parse_vnd(args.get(name) or None)
    except ValueError:
        raise ValidationError("Khoảng giá phải là số đồng nguyên, không âm.", param=name) from None


def parse_query(
    args: Mapping[str, Any], *, max_chars: int, per_page: int, max_page: int = 10_000
) -> SearchQuery:
    """Validate request arguments into a SearchQuery; raises ValidationError naming the field."""
    q = args.get("q") or ""
    if len(q) > max_chars:
        raise ValidationError(
            f"Từ khoá quá dài (tối đa {max_chars} ký tự).", param="q", code="query_too_long"
        )
    if has_control_chars(q):
        q = "".join(ch for ch in q if ch.isprintable())
    words = [w[:MAX_TOKEN_CHARS] for w in tokens(q)][:MAX_TOKENS]
    kind = (args.get("kind") or "").strip() or None
    if kind and kind not in {k.value for k in ProducerKind}:
        raise ValidationError(
            "Loại chủ thể không hợp lệ. Chọn lại trong bộ lọc, hoặc bỏ bộ lọc này.", param="kind"
        )
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        raise ValidationError(
            "Cách sắp xếp không hợp lệ. Chọn lại trong danh sách (" + ", ".join(SORTS) + ").",
            param="sort",
        )
    group = (args.get("group") or "").strip() or None
    if group and not (group.isascii() and group.isdigit() and len(group) <= 2):
        raise ValidationError(
            "Nhóm sản phẩm OCOP không hợp lệ. Chọn lại trong bộ lọc, hoặc bỏ bộ lọc này.",
            param="group",
        )
    query = SearchQuery(
        q=q.strip(),
        province=_code(args, "province", 2),
        commune=_code(args, "commune", 5),
        group=group,
        min_stars=_int(args, "min_stars", 3, 5),
        kind=kind,
        price_min=_price(args, "price_min"),
        price_max=_price(args, "price_max"),
        sort=sort,
        page=_int(args, "page", 1, max_page) or 1,
        per_page=per_page,
        words=words,
    )
    if (
        query.price_min is not None
        and query.price_max is not None
        and query.price_min > query.price_max
    ):
        raise ValidationError("Giá từ phải nhỏ hơn hoặc bằng giá đến.", param="price_min")
    return query


def stars_expr(today: date) -> Any:
    """SQL for a product's current stars: None once the cached certificate lapsed."""
    return case((Product.cert_valid_until >= today, Product.cert_stars), else_=None)


def _name_score(src: Source, terms: Terms) -> Any:
    if not terms:
        return literal(0)
    found = (or_(*(src.search_name.like(f"% {w}%") for w in alts)) for alts in terms)
    return sum((case((hit, 1), else_=0) for hit in found), literal(0))


def _having(session: Session, terms: Terms, prefix: bool = True) -> Select[Any]:
    """The ids of listed products whose text matches ``terms``."""
    src = source(session)
    return src.listed_ids().where(src.text_match(terms, prefix))


def _frequencies(session: Session, words: list[str]) -> dict[str, int]:
    """How many listed products have each word, counted in one pass over those with any."""
    src = source(session)
    counts = [func.count().filter(src.text_match([[w]], prefix=False)) for w in words]
    stmt = _having(session, [words], prefix=False).with_only_columns(*counts)
    return dict(zip(words, session.execute(stmt).one(), strict=True))


def _corrections(session: Session, words: list[str]) -> dict[str, list[str]]:
    """Each query word no listed product has -> its likeliest spellings; {} when one has none."""
    found: dict[str, dict[str, int]] = {}
    maybe = fuzzy.prefixes(session, words)  # some product may have them (or had)
    for word in sorted(set(words), key=len):  # a short unknown word is never corrected: stop
        if word in maybe and session.scalar(_having(session, [[word]]).limit(1)) is not None:
            continue
        found[word] = fuzzy.nearby(session, word)
        if not found[word]:
            return {}
    if not found:  # every word is known: they just do not meet (or not with the filters)
        return {}
    counts = _frequencies(session, sorted({w for near in found.values() for w in near}))
    best: dict[str, list[str]] = {}
    for word, near in found.items():
        ranked = sorted((edits, -counts[w], w) for w, edits in near.items() if counts[w])
        if not ranked:
            return {}
        best[word] = [w for _, _, w in ranked[:MAX_CORRECTIONS]]
    return best


def _base(src: Source, query: SearchQuery, today: date) -> Select[Any]:
    stmt = src.listed_ids()
    if query.province:
        stmt = stmt.where(src.province_code == query.province)
    if query.commune:
        stmt = stmt.where(src.commune_code == query.commune)
    if query.kind:
        stmt = stmt.where(src.kind == query.kind)
    if query.group:
        stmt = stmt.where(
            src.set_no.in_(select(OcopSet.set_no).where(OcopSet.group_code == query.group))
        )
    if query.min_stars:
        stmt = stmt.where(src.cert_valid_until >= today, src.cert_stars >= query.min_stars)
    if query.price_min is not None:
        stmt = stmt.where(src.price_vnd >= query.price_min)
    if query.price_max is not None:
        stmt = stmt.where(src.price_vnd <= query.price_max)
    return stmt


def _order_keys(
    src: Source, query: SearchQuery, today: date, terms: Terms
) -> list[tuple[Any, bool]]:
    """The ranking as (expression, descending) pairs; the last one is always the id."""
    stars = func.coalesce(src.stars(today), 0)
    if query.sort == "price_asc":
        return [(src.price_vnd, False), (src.id, False)]
    if query.sort == "price_desc":
        return [(src.price_vnd, True), (src.id, False)]
    if query.sort == "stars":
        return [(stars, True), (src.price_vnd, False), (src.id, False)]
    if query.sort == "newest":
        return [(src.id, True)]
    if query.sort == "name":
        name = src.search_name  # ASCII: byte order, SQLite's BINARY, whatever the cluster's
        if src.postgresql:
            name = name.collate("C")
        return [(name, False), (src.id, False)]
    return [(_name_score(src, terms), True), (stars, True), (src.id, False)]


def _order(src: Source, query: SearchQuery, today: date, terms: Terms) -> list[Any]:
    keys = _order_keys(src, query, today, terms)
    return [key.desc() if desc else key.asc() for key, desc in keys]


def _statement(src: Source, query: SearchQuery, today: date, terms: Terms) -> Select[Any]:
    stmt = _base(src, query, today)
    if terms:
        stmt = stmt.where(src.text_match(terms))
    return stmt


def _page(
    session: Session,
    src: Source,
    stmt: Select[Any],
    keys: list[tuple[Any, bool]],
    offset: int,
    limit: int,
) -> tuple[list[int], int]:
    """The ids of one page in ranking order, and how many products match in all.

    The matches and their sort keys are materialised first, then counted and sorted: the
    count needs every match anyway, and PostgreSQL 15 (which costs a LIMIT as if its first
    rows came cheap) would otherwise walk an index in sort order and filter.
    """
    matches = (
        stmt.with_only_columns(
            src.id.label("id"), *(key.label(f"k{i}") for i, (key, _) in enumerate(keys))
        )
        .cte("matches")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    sort = [matches.c[f"k{i}"] for i in range(len(keys))]
    order = [col.desc() if desc else col.asc() for col, (_, desc) in zip(sort, keys, strict=True)]
    total = select(func.count()).select_from(matches).scalar_subquery()  # cheaper than a window
    rows = session.execute(
        select(matches.c.id, total).order_by(*order).offset(offset).limit(limit)
    ).all()
    if rows:
        return [pid for pid, _ in rows], rows[0][1]
    if not offset:
        return [], 0
    # a page past the end: the window saw no row, count separately
    narrow = stmt.with_only_columns(src.id).order_by(None).subquery()
    return [], session.scalar(select(func.count()).select_from(narrow)) or 0


def _load(session: Session, ids: list[int]) -> list[Product]:
    """The products of ``ids``, in that order, with what a result card shows."""
    if not ids:
        return []
    found = session.scalars(select(Product).where(Product.id.in_(ids))).unique()
    products = {p.id: p for p in found}
    return [products[i] for i in ids if i in products]  # one may vanish in between


def search(session: Session, query: SearchQuery, today: date) -> SearchResult:
    """One page of products for a storefront query, misspelt words corrected if nothing matches."""
    offset = (query.page - 1) * query.per_page
    src = source(session)
    terms = [[w] for w in query.words]
    keys = _order_keys(src, query, today, terms)
    ids, total = _page(
        session, src, _statement(src, query, today, terms), keys, offset, query.per_page
    )
    corrections = _corrections(session, query.words) if not total and query.words else {}
    if corrections:
        terms = [corrections.get(w, [w]) for w in query.words]
        keys = _order_keys(src, query, today, terms)
        stmt = _statement(src, query, today, terms)
        ids, total = _page(session, src, stmt, keys, offset, query.per_page)
        corrections = corrections if total else {}
    items = _load(session, ids)
    return SearchResult(items, total, query.page, query.per_page, bool(corrections), corrections)


def search_after(
    session: Session, query: SearchQuery, today: date, starting_after: int | None, limit: int
) -> tuple[list[Product], bool]:
    """Cursor pagination for the API: the ``limit`` results after product ``starting_after``.

    The ranking is recomputed and the cursor's position found by id, so a cursor stays valid
    while the catalogue changes (a vanished cursor product is an error the client can see).
    Exact matches only: no typo correction.
    """
    src = source(session)
    terms = [[w] for w in query.words]
    stmt = _statement(src, query, today, terms)
    order = _order(src, query, today, terms)
    if not starting_after:
        first = session.scalars(
            stmt.with_only_columns(src.id).order_by(*order).limit(limit + 1)
        ).all()
        return _load(session, list(first[:limit])), len(first) > limit
    ranked = (
        stmt.with_only_columns(
            src.id.label("pid"), func.row_number().over(order_by=order).label("pos")
        )
        .order_by(None)
        .subquery()
    )
    position = session.scalar(select(ranked.c.pos).where(ranked.c.pid == starting_after))
    if position is None:
        raise ValidationError(
            "Không tìm thấy sản phẩm của con trỏ 'starting_after' trong kết quả này. Bắt đầu lại "
            "từ trang đầu (bỏ 'starting_after').",
            param="starting_after",
            code="resource_missing",
        )
    ids = session.scalars(
        select(ranked.c.pid).where(ranked.c.pos > position).order_by(ranked.c.pos).limit(limit + 1)
    ).all()
    return _load(session, list(ids[:limit])), len(ids) > limit
