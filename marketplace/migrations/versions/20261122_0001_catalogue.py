"""Catalogue: administrative units, OCOP classification, banks, producers, products,
certificates, images, and the search index (FTS5 on SQLite; on PostgreSQL a GIN-indexed
tsvector of the folded words, plus pg_trgm for typo tolerance).

Revision ID: 20261122_0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "20261122_0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reference_versions",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
    )
    op.create_table(
        "provinces",
        sa.Column("code", sa.String(2), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("name_ascii", sa.String(80), nullable=False),
    )
    op.create_table(
        "communes",
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("province_code", sa.String(2), sa.ForeignKey("provinces.code"), nullable=False),
        sa.Column("name_ascii", sa.String(120), nullable=False),
    )
    op.create_index("ix_communes_province_code", "communes", ["province_code"])
    op.create_table(
        "commune_lineage",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("old_province_code", sa.String(2), nullable=False),
        sa.Column("old_province_name", sa.String(80), nullable=False),
        sa.Column("old_district_code", sa.String(3), nullable=False),
        sa.Column("old_district_name", sa.String(120), nullable=False),
        sa.Column("old_commune_code", sa.String(5)),
        sa.Column("old_commune_name", sa.String(160), nullable=False),
        sa.Column("new_commune_code", sa.String(5), sa.ForeignKey("communes.code"), nullable=False),
        sa.Column("note", sa.String(400), nullable=False),
        sa.Column("is_split", sa.Boolean, nullable=False),
    )
    op.create_index("ix_commune_lineage_old_commune_code", "commune_lineage", ["old_commune_code"])
    op.create_index("ix_commune_lineage_new_commune_code", "commune_lineage", ["new_commune_code"])
    op.create_table(
        "ocop_groups",
        sa.Column("code", sa.String(4), primary_key=True),
        sa.Column("slug", sa.String(120), nullable=False, unique=True),
        sa.Column("name_vi", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
    )
    op.create_table(
        "ocop_subgroups",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("group_code", sa.String(4), sa.ForeignKey("ocop_groups.code"), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("name_vi", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
    )
    op.create_index("ix_ocop_subgroups_group_code", "ocop_subgroups", ["group_code"])
    op.create_table(
        "ocop_sets",
        sa.Column("set_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column(
            "subgroup_code", sa.String(8), sa.ForeignKey("ocop_subgroups.code"), nullable=False
        ),
        sa.Column("group_code", sa.String(4), sa.ForeignKey("ocop_groups.code"), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("name_vi", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
    )
    op.create_index("ix_ocop_sets_group_code", "ocop_sets", ["group_code"])
    op.create_table(
        "banks",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("bin", sa.String(6), nullable=False),
        sa.Column("short_name", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("vietqr_status", sa.String(32), nullable=False),
        sa.Column("swift", sa.String(11), nullable=False),
    )
    op.create_index("ix_banks_bin", "banks", ["bin"])
    op.create_table(
        "producers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False, unique=True),
        sa.Column("tax_code", sa.String(14), unique=True),
        sa.Column("representative", sa.String(120), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("commune_code", sa.String(5), sa.ForeignKey("communes.code"), nullable=False),
        sa.Column("province_code", sa.String(2), sa.ForeignKey("provinces.code"), nullable=False),
        sa.Column("street", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("bank_bin", sa.String(6)),
        sa.Column("bank_account", sa.String(19)),
        sa.Column("bank_account_name", sa.String(120)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provenance", sa.Text, nullable=False),
        sa.Column("source_ref", sa.String(40), unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("kind IN ('cooperative', 'enterprise', 'household')", name="kind_known"),
        sa.CheckConstraint(
            "status IN ('draft', 'onboarding', 'active', 'suspended')", name="status_known"
        ),
    )
    op.create_index("ix_producers_commune_code", "producers", ["commune_code"])
    op.create_index("ix_producers_province_code", "producers", ["province_code"])
    op.create_table(
        "products",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("producer_id", sa.Integer, sa.ForeignKey("producers.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False, unique=True),
        sa.Column("set_no", sa.Integer, sa.ForeignKey("ocop_sets.set_no"), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("net_quantity", sa.String(80), nullable=False),
        sa.Column("price_vnd", sa.BigInteger, nullable=False),
        sa.Column("stock", sa.Integer, nullable=False),
        sa.Column("weight_grams", sa.Integer),
        sa.Column("shelf_life", sa.String(120), nullable=False),
        sa.Column("storage_notes", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("search_name", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("cert_stars", sa.Integer),
        sa.Column("cert_valid_until", sa.Date),
        sa.Column("provenance", sa.Text, nullable=False),
        sa.Column("source_ref", sa.String(40), unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("status IN ('draft', 'published', 'hidden')", name="status_known"),
        sa.CheckConstraint("price_vnd >= 0", name="price_not_negative"),
        sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
    )
    op.create_index("ix_products_producer_id", "products", ["producer_id"])
    op.create_index("ix_products_set_no", "products", ["set_no"])
    op.create_index("ix_products_status", "products", ["status"])
    op.create_index("ix_products_status_price", "products", ["status", "price_vnd"])
    # per-producer counts of published products (province facet) without reading product rows
    op.create_index("ix_products_status_producer", "products", ["status", "producer_id"])
    # Search: every column a candidate is filtered and ranked on, keyed by (status, id), so
    # checking thousands of text matches reads this small index, not the wide product rows.
    op.create_index(
        "ix_products_search_rank",
        "products",
        [
            "status",
            "id",
            "producer_id",
            "set_no",
            "price_vnd",
            "cert_stars",
            "cert_valid_until",
            "search_name",
        ],
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "product_id",
            sa.Integer,
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("stars", sa.Integer, nullable=False),
        sa.Column("decision_number", sa.String(80), nullable=False),
        sa.Column("decision_date", sa.Date, nullable=False),
        sa.Column("issuing_authority", sa.String(200), nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("document_path", sa.String(300)),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("date_estimated", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("stars BETWEEN 3 AND 5", name="stars_3_to_5"),
        sa.CheckConstraint("valid_until > decision_date", name="valid_after_decision"),
    )
    op.create_index(
        "ix_certificates_product_decision", "certificates", ["product_id", "decision_date"]
    )
    op.create_table(
        "product_images",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "product_id",
            sa.Integer,
            sa.ForeignKey("products.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("original_path", sa.String(300), nullable=False),
        sa.Column("thumb_small_path", sa.String(300), nullable=False),
        sa.Column("thumb_large_path", sa.String(300), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("alt", sa.String(200), nullable=False),
        sa.Column("is_placeholder", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_product_images_product_id", "product_images", ["product_id"])
    _create_search_index()


def _create_search_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # External-content FTS5 over the folded column, kept in step by triggers so that no
        # write path can forget it.
        op.execute(
            "CREATE VIRTUAL TABLE product_fts USING fts5("
            "search_text, content='products', content_rowid='id', "
            "tokenize='unicode61', prefix='1 2 3')"
        )
        op.execute(
            "CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN "
            "INSERT INTO product_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN "
            "INSERT INTO product_fts(product_fts, rowid, search_text) "
            "VALUES ('delete', old.id, old.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER products_fts_au AFTER UPDATE OF search_text ON products BEGIN "
            "INSERT INTO product_fts(product_fts, rowid, search_text) "
            "VALUES ('delete', old.id, old.search_text); "
            "INSERT INTO product_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # Exact search: the words of search_text verbatim (no parser, no dictionary) as a
        # tsvector for prefix queries ('word':*). Stored, not an index expression: rebuilding a
        # tsvector per row costs ~8 us, and the planner (which thinks it cheap) seq-scans with it
        # for common words. PostgreSQL only, so the ORM model does not declare it.
        op.execute(
            "ALTER TABLE products ADD COLUMN search_words tsvector GENERATED ALWAYS AS "
            "(array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))) STORED"
        )
        op.execute("CREATE INDEX ix_products_search_words ON products USING gin (search_words)")
        # Typo tolerance (word similarity) when nothing matches exactly.
        op.execute(
            "CREATE INDEX ix_products_search_text_trgm ON products "
            "USING gin (search_text gin_trgm_ops)"
        )
        op.execute(
            "CREATE INDEX ix_products_search_name_trgm ON products "
            "USING gin (search_name gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("products_fts_ai", "products_fts_ad", "products_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS product_fts")
    for table in (
        "product_images",
        "certificates",
        "products",
        "producers",
        "banks",
        "ocop_sets",
        "ocop_subgroups",
        "ocop_groups",
        "commune_lineage",
        "communes",
        "provinces",
        "reference_versions",
    ):
        op.drop_table(table)
