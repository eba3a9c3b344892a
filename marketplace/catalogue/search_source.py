"""Where a search reads: the columns its filters and ranking use, and how it matches words.

SQLite: products joined to their producers, words matched by the FTS5 table ``product_fts``.
PostgreSQL: the narrow table ``product_search`` (migration 0009), one row per product with its
words as a GIN-indexed tsvector and a copy of every column a search filters or sorts on
(``listed`` = published product of an active producer), kept in step by triggers on
``products`` and ``producers``. Ranking 11,000 matches through joins back to the wide
``products`` heap cost three times what reading this one narrow table does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Integer,
    Select,
    String,
    Text,
    case,
    cast,
    column,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.orm import Session

from producers.models import Producer, ProducerStatus, Product, ProductStatus

Terms = list[list[str]]  # per query word, the words it may be: itself, or its corrections

PRODUCT_SEARCH = table(
    "product_search",
    column("product_id", Integer),
    column("words", TSVECTOR),
    column("listed", Boolean),
    column("province_code", String),
    column("commune_code", String),
    column("kind", String),
    column("set_no", Integer),
    column("price_vnd", BigInteger),
    column("cert_stars", Integer),
    column("cert_valid_until", Date),
    column("search_name", Text),
)


def listed() -> tuple[Any, Any]:
    """What the storefront shows: published products of active producers."""
    return Product.status == ProductStatus.PUBLISHED, Producer.status == ProducerStatus.ACTIVE


def _any(words: list[str], sep: str) -> str:
    return words[0] if len(words) == 1 else "(" + sep.join(words) + ")"


@dataclass(frozen=True)
class Source:
    """The columns of one backend's search, under the same names."""

    id: Any
    province_code: Any
    commune_code: Any
    kind: Any
    set_no: Any
    price_vnd: Any
    cert_stars: Any
    cert_valid_until: Any
    search_name: Any
    postgresql: bool

    def listed_ids(self) -> Select[Any]:
        """The ids of the products the storefront shows, to add filters to."""
        if self.postgresql:
            return select(self.id).where(PRODUCT_SEARCH.c.listed)
        return select(Product.id).join(Product.producer).where(*listed())

    def text_match(self, terms: Terms, prefix: bool = True) -> Any:
        """Each term (any of its words) begins a word of the product's text, or is one."""
        # words are [a-z0-9]+ (core.text.tokens): quoting them as FTS5 strings or tsquery
        # lexemes is safe
        if self.postgresql:
            star = ":*" if prefix else ""
            query = " & ".join(_any([f"'{w}'{star}" for w in alts], " | ") for alts in terms)
            return PRODUCT_SEARCH.c.words.op("@@")(cast(query, TSQUERY))
        star = "*" if prefix else ""
        fts = " AND ".join(_any([f'"{w}"{star}' for w in alts], " OR ") for alts in terms)
        candidates = (
            select(literal_column("rowid"))
            .select_from(table("product_fts"))
            .where(literal_column("product_fts").op("MATCH")(fts))
        )
        return Product.id.in_(candidates)

    def stars(self, today: date) -> Any:
        """A product's current stars: None once its cached certificate lapsed."""
        return case((self.cert_valid_until >= today, self.cert_stars), else_=None)


_SQLITE = Source(
    id=Product.id,
    province_code=Producer.province_code,
    commune_code=Producer.commune_code,
    kind=Producer.kind,
    set_no=Product.set_no,
    price_vnd=Product.price_vnd,
    cert_stars=Product.cert_stars,
    cert_valid_until=Product.cert_valid_until,
    search_name=Product.search_name,
    postgresql=False,
)
_POSTGRESQL = Source(
    id=PRODUCT_SEARCH.c.product_id,
    province_code=PRODUCT_SEARCH.c.province_code,
    commune_code=PRODUCT_SEARCH.c.commune_code,
    kind=PRODUCT_SEARCH.c.kind,
    set_no=PRODUCT_SEARCH.c.set_no,
    price_vnd=PRODUCT_SEARCH.c.price_vnd,
    cert_stars=PRODUCT_SEARCH.c.cert_stars,
    cert_valid_until=PRODUCT_SEARCH.c.cert_valid_until,
    search_name=PRODUCT_SEARCH.c.search_name,
    postgresql=True,
)


def source(session: Session) -> Source:
    """The search source of the session's database."""
    return _POSTGRESQL if session.get_bind().dialect.name == "postgresql" else _SQLITE
