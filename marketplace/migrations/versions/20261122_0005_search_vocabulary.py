"""Search vocabulary: every word of products' search_text, for typo correction.

One row per distinct word ever indexed, added by triggers on products (insert, and updates
that change search_text); never removed, so it is a superset of the current words: search
counts a candidate's published products before suggesting it. PostgreSQL adds a pg_trgm GIN
index on the word for the candidate lookup; SQLite reads the table into memory.

Revision ID: 20261122_0005
Revises: 20261122_0004
Create Date: 2026-11-22
"""

from alembic import op

revision = "20261122_0005"
down_revision = "20261122_0004"
branch_labels = None
depends_on = None

# SQLite: search_text's words as a JSON array (words are [a-z0-9]+: nothing to escape)
SQLITE_WORDS = "json_each('[\"' || replace(trim({text}), ' ', '\",\"') || '\"]')"
SQLITE_ADD = (
    "INSERT OR IGNORE INTO search_vocabulary (word) "
    f"SELECT value FROM {SQLITE_WORDS.format(text='new.search_text')} WHERE value <> ''"
)
PG_WORDS = "unnest(string_to_array({text}, ' ')) AS w"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TABLE search_vocabulary (word TEXT NOT NULL PRIMARY KEY)")
        op.execute(
            "INSERT OR IGNORE INTO search_vocabulary (word) SELECT value FROM products, "
            f"{SQLITE_WORDS.format(text='products.search_text')} WHERE value <> ''"
        )
        op.execute(
            f"CREATE TRIGGER products_vocabulary_ai AFTER INSERT ON products BEGIN {SQLITE_ADD}; END"
        )
        op.execute(
            "CREATE TRIGGER products_vocabulary_au AFTER UPDATE OF search_text ON products "
            f"WHEN new.search_text IS NOT old.search_text BEGIN {SQLITE_ADD}; END"
        )
        return
    op.execute('CREATE TABLE search_vocabulary (word text COLLATE "C" PRIMARY KEY)')
    op.execute(
        "INSERT INTO search_vocabulary (word) SELECT DISTINCT w FROM products, "
        f"{PG_WORDS.format(text='products.search_text')} WHERE w <> '' ON CONFLICT DO NOTHING"
    )
    op.execute(
        "CREATE INDEX ix_search_vocabulary_word_trgm ON search_vocabulary "
        "USING gin (word gin_trgm_ops) WITH (fastupdate = off)"  # no pending list to scan
    )
    op.execute(
        "CREATE FUNCTION search_vocabulary_add() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO search_vocabulary (word) SELECT DISTINCT w FROM "
        f"{PG_WORDS.format(text='NEW.search_text')} WHERE w <> '' ON CONFLICT DO NOTHING; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER products_vocabulary_ai AFTER INSERT ON products "
        "FOR EACH ROW EXECUTE FUNCTION search_vocabulary_add()"
    )
    op.execute(
        "CREATE TRIGGER products_vocabulary_au AFTER UPDATE OF search_text ON products "
        "FOR EACH ROW WHEN (NEW.search_text IS DISTINCT FROM OLD.search_text) "
        "EXECUTE FUNCTION search_vocabulary_add()"
    )


def downgrade() -> None:
    for trigger in ("products_vocabulary_ai", "products_vocabulary_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}" + _on_products())
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS search_vocabulary_add()")
    op.execute("DROP TABLE IF EXISTS search_vocabulary")


def _on_products() -> str:
    return "" if op.get_bind().dialect.name == "sqlite" else " ON products"
