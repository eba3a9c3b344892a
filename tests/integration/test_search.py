"""The search contract, run on every backend: same words in, same ordered products out."""

import unicodedata
from datetime import date

import pytest

from marketplace.catalogue.search import parse_query, search, search_after
from marketplace.core.errors import ValidationError

TODAY = date(2026, 11, 22)


def names(session, **args):
    query = parse_query(args, max_chars=200, per_page=50)
    return [p.name for p in search(session, query, TODAY).items]


@pytest.mark.parametrize(
    "q",
    [
        "dau phong",
        "Dầu đậu phộng",
        "ĐẬU PHỘNG",
        unicodedata.normalize("NFD", "đậu phộng"),
        "  DAU   phong!! ",
    ],
)
def test_accent_and_case_insensitive_both_ways(demo_session, q):
    assert names(demo_session, q=q) == ["Dầu đậu phộng nguyên chất Bảo Tâm"]


def test_d_folds_to_d(demo_session):
    assert names(demo_session, q="den long") == ["Đèn lồng Hội An Dé lantana"]
    assert names(demo_session, q="Đèn") == names(demo_session, q="den")


def test_prefix_words_and_name_matches_rank_first(demo_session):
    # "trà" also finds chè (tea): name matches first, then valid stars, then id
    assert names(demo_session, q="tra tan cuong") == [
        "Sơn Dung Trà Tân Cương",
        "Trà Tân Cương Tâm Trà Thái",
        "Chè Đinh Tân Cương Hảo Đạt",
        "Chè Tôm Nõn Hảo Đạt",
    ]
    # words in the name first (then valid stars, then id); then products of Tân Cương commune
    assert names(demo_session, q="tan cuong") == [
        "Chè Đinh Tân Cương Hảo Đạt",
        "Sơn Dung Trà Tân Cương",
        "Trà Tân Cương Tâm Trà Thái",
        "Du lịch văn hóa dân tộc Tày bản làng Thái Hải",
        "Chè Tôm Nõn Hảo Đạt",
    ]


def test_every_word_must_match(demo_session):
    # Phúc Thành's 2023 certificate is valid, Kỳ Tân's (2020) lapsed: valid stars rank first
    assert names(demo_session, q="mat ong") == ["Mật ong Phúc Thành", "Mật ong dú Kỳ Tân"]
    assert names(demo_session, q="mat ong xyzzy") == []


def test_search_reaches_producer_and_place(demo_session):
    assert set(names(demo_session, q="hao dat")) == {
        "Chè Tôm Nõn Hảo Đạt",
        "Chè Đinh Tân Cương Hảo Đạt",
    }
    assert "Nước mắm nhĩ truyền thống Tư Tài" in names(demo_session, q="hoi an")


def test_sql_and_fts_syntax_is_just_text(demo_session):
    for q in [
        '"',
        "'; DROP TABLE products;--",
        "tra*",
        "NEAR(tra cuong)",
        "tra OR mat",
        "a AND",
        "-tra",
        "^tra",
        "%",
        "_",
    ]:
        names(demo_session, q=q)
    assert names(demo_session, q="tra OR mat") == []  # OR is a word here, not an operator


def test_filters(demo_session):
    thai_nguyen = names(demo_session, province="19")
    assert len(thai_nguyen) == 11
    assert (
        names(demo_session, commune="05503", sort="price_desc")[0] == "Chè Đinh Tân Cương Hảo Đạt"
    )
    assert set(names(demo_session, group="6")) == {"Du lịch văn hóa dân tộc Tày bản làng Thái Hải"}
    five = names(demo_session, min_stars="5")
    assert "Chè Đinh Tân Cương Hảo Đạt" in five
    assert "Chè Tôm Nõn Hảo Đạt" not in five  # its 2021 certificate expired in 2024
    assert all(n != "Nước mắm nhĩ truyền thống Tư Tài" for n in names(demo_session, min_stars="3"))
    assert set(names(demo_session, kind="enterprise", province="48")) >= {"Bánh dừa nướng Quý Thu"}
    prices = names(demo_session, price_min="100.000", price_max="150000", sort="price_asc")
    assert prices[0] in {"Dầu phụng tinh khiết Phú Ninh"}
    assert len(names(demo_session, q="tra", province="48")) < len(names(demo_session, q="tra"))


def test_sorts_are_total_orders(demo_session):
    asc = names(demo_session, sort="price_asc")
    desc = names(demo_session, sort="price_desc")
    assert len(asc) == len(desc) == 30
    assert asc[0] == "Bánh tráng Đại Lộc" and desc[0] == "Chè Đinh Tân Cương Hảo Đạt"
    assert names(demo_session, sort="stars")[0] in {"Bánh dừa nướng Quý Thu"}
    assert names(demo_session, sort="name")[0] == "Bánh dừa nướng Quý Thu"


def test_pagination_partitions_results(demo_session):
    pages = []
    for page in (1, 2, 3):
        query = parse_query({"page": str(page)}, max_chars=200, per_page=12)
        result = search(demo_session, query, TODAY)
        pages.extend(p.id for p in result.items)
        assert result.total == 30 and result.pages == 3
    assert len(pages) == len(set(pages)) == 30
    beyond = search(demo_session, parse_query({"page": "9"}, max_chars=200, per_page=12), TODAY)
    assert beyond.items == [] and beyond.total == 30


def test_cursor_pagination_matches_page_order(demo_session):
    query = parse_query({"q": "tra"}, max_chars=200, per_page=100)
    full = [p.id for p in search(demo_session, query, TODAY).items]
    seen, cursor = [], None
    while True:
        items, more = search_after(demo_session, query, TODAY, cursor, 4)
        seen.extend(p.id for p in items)
        if not more:
            break
        cursor = items[-1].id
    assert seen == full


@pytest.mark.parametrize(
    ("args", "param"),
    [
        ({"q": "a" * 201}, "q"),
        ({"min_stars": "9"}, "min_stars"),
        ({"min_stars": "ba"}, "min_stars"),
        ({"province": "'; --"}, "province"),
        ({"commune": "123456"}, "commune"),
        ({"sort": "random()"}, "sort"),
        ({"kind": "bank"}, "kind"),
        ({"price_min": "-5"}, "price_min"),
        ({"price_min": "500", "price_max": "100"}, "price_min"),
        ({"page": "0"}, "page"),
        ({"page": "99999999999"}, "page"),
        ({"group": "x"}, "group"),
    ],
)
def test_invalid_parameters_are_named(args, param):
    with pytest.raises(ValidationError) as err:
        parse_query(args, max_chars=200, per_page=24)
    assert err.value.param == param


def test_unpublished_products_are_not_found(demo_session):
    from producers.models import Product

    product = demo_session.query(Product).filter_by(source_ref="sample:P008").one()
    product.status = "hidden"
    demo_session.flush()
    assert "Dầu đậu phộng nguyên chất Bảo Tâm" not in names(demo_session, q="dau phong")
    assert "Dầu đậu phộng nguyên chất Bảo Tâm" not in names(demo_session)


def test_the_search_index_follows_renames_and_deletions(demo_session):
    """SQLite's FTS5 table and PostgreSQL's product_search are kept in step by triggers."""
    from producers.models import Product
    from producers.services import refresh_search

    product = demo_session.query(Product).filter_by(source_ref="sample:P008").one()
    product.name = "Dầu lạc Bảo Tâm ép mộc"
    refresh_search(demo_session, product)
    demo_session.flush()
    assert names(demo_session, q="ep moc") == ["Dầu lạc Bảo Tâm ép mộc"]  # words new to it
    producer = product.producer  # what the filters read of the producer follows it too
    assert names(demo_session, q="ep moc", kind=producer.kind) == ["Dầu lạc Bảo Tâm ép mộc"]
    other_kind = next(k for k in ("cooperative", "enterprise", "household") if k != producer.kind)
    producer.kind = other_kind
    demo_session.flush()
    assert names(demo_session, q="ep moc", kind=other_kind) == ["Dầu lạc Bảo Tâm ép mộc"]
    producer.status = "suspended"
    demo_session.flush()
    assert names(demo_session, q="ep moc") == []
    producer.status = "active"
    product.price_vnd = 1_234_000
    demo_session.flush()
    assert names(demo_session, q="ep moc", price_min="1234000") == ["Dầu lạc Bảo Tâm ép mộc"]
    demo_session.delete(product)  # its images and certificates go with it
    demo_session.flush()
    assert names(demo_session, q="ep moc") == []


def result(session, **args):
    return search(session, parse_query(args, max_chars=200, per_page=50), TODAY)


def test_typos_are_corrected_when_nothing_matches(demo_session):
    # the same on both backends (was PostgreSQL-only trigram similarity; SQLite found nothing)
    typo = result(demo_session, q="dau phng")
    assert typo.fuzzy and typo.corrections == {"phng": ["phong", "phung"]}
    assert typo.items[0].name == "Dầu đậu phộng nguyên chất Bảo Tâm"
    # a misspelt word becomes the words it may be, then the normal search and ranking run
    assert names(demo_session, q="nuoc mamm") == names(demo_session, q="nuoc mam")
    assert all(n.startswith("Nước mắm") for n in names(demo_session, q="nuoc mamm")[:3])
    tan_cuong = result(demo_session, q="tan cuogn")
    assert tan_cuong.corrections == {"cuogn": ["cuong"]}
    assert [p.name for p in tan_cuong.items] == names(demo_session, q="tan cuong")
    assert "Chè Đinh Tân Cương Hảo Đạt" in names(demo_session, q="tan cuogn")
    assert names(demo_session, q="lantanna") == ["Đèn lồng Hội An Dé lantana"]  # 8+ letters


def test_typo_correction_is_precise(demo_session):
    nonsense = result(demo_session, q="xqzv wkjh")
    assert nonsense.items == [] and not nonsense.fuzzy and nonsense.corrections == {}
    # a rare pair of words must not flood the page with loosely similar products
    assert len(names(demo_session, q="quynh nhai")) <= 3
    assert names(demo_session, q="ngoc lnh") == []  # words under 4 letters are never corrected
    # exact matches are never "corrected"
    exact = result(demo_session, q="mat ong")
    assert [p.name for p in exact.items] == ["Mật ong Phúc Thành", "Mật ong dú Kỳ Tân"]
    assert not exact.fuzzy and exact.corrections == {}
    # known words that match nothing together (or with the filters) are left alone
    assert result(demo_session, q="mat ong", province="48").corrections == {}


def test_typo_candidates_come_from_listed_products(demo_session):
    from producers.models import Product

    product = demo_session.query(Product).filter_by(source_ref="sample:P008").one()
    before = result(demo_session, q="zuckerwate")  # loads the SQLite vocabulary cache
    assert before.items == []
    product.search_text += " zuckerwatte"  # a new word: the vocabulary trigger adds it
    demo_session.flush()
    after = result(demo_session, q="zuckerwate")
    assert after.corrections == {"zuckerwate": ["zuckerwatte"]}
    assert [p.name for p in after.items] == [product.name]
    product.status = "hidden"  # still in the vocabulary, but no listed product has it
    demo_session.flush()
    assert result(demo_session, q="zuckerwate").corrections == {}


def test_sort_by_name_is_byte_order_whatever_the_collation(demo_session, backend):
    from sqlalchemy import text

    from producers.models import Product

    if backend == "postgresql":
        if not demo_session.scalar(
            text("SELECT count(*) FROM pg_collation WHERE collname = 'und-x-icu'")
        ):
            pytest.skip("no ICU collations on this PostgreSQL")
        # a collation that ignores spaces, as many glibc locales do
        demo_session.execute(
            text("CREATE COLLATION spaces_ignored (provider = icu, locale = 'und-u-ka-shifted')")
        )
        demo_session.execute(
            # the column the search sorts on: product_search's copy (search_source.py)
            text(
                "ALTER TABLE product_search ALTER COLUMN search_name TYPE text "
                "COLLATE spaces_ignored"
            )
        )
    first, second = demo_session.query(Product).order_by(Product.id).limit(2).all()
    first.search_name, second.search_name = " 0 b", " 00"  # spaces ignored: " 00" first
    demo_session.flush()
    ordered = [p.search_name for p in result(demo_session, sort="name").items]
    assert ordered[:2] == [" 0 b", " 00"] and ordered == sorted(ordered)


def test_communes_with_products_need_an_active_producer(demo_session):
    from marketplace.catalogue.facets import communes_with_products
    from producers.models import Product

    listed = demo_session.query(Product).filter(Product.status == "published").all()
    sellers: dict[str, set[int]] = {}
    for p in listed:
        sellers.setdefault(p.producer.commune_code, set()).add(p.producer_id)
    producer = next(p.producer for p in listed if len(sellers[p.producer.commune_code]) == 1)
    codes = {c.code for c in communes_with_products(demo_session, producer.province_code)}
    assert producer.commune_code in codes
    producer.status = "suspended"  # its commune's only seller
    demo_session.flush()
    codes = {c.code for c in communes_with_products(demo_session, producer.province_code)}
    assert producer.commune_code not in codes


def test_each_backend_gets_its_connection_settings(demo_session, backend):
    """PostgreSQL: a generic plan (what it switches to for a statement psycopg prepared)
    ignores whether a word matches one product or half the catalogue, so every connection
    asks for custom plans. SQLite: writers queue on the file lock (core/sqlite_writers.py)."""
    from sqlalchemy import text

    from marketplace.core.sqlite_writers import WriterQueueConnection

    if backend == "postgresql":
        assert demo_session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
    else:
        raw = demo_session.connection().connection.driver_connection
        assert isinstance(raw, WriterQueueConnection)
        assert demo_session.scalar(text("PRAGMA journal_mode")) == "wal"
