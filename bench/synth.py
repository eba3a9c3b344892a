"""A large, deterministic catalogue synthesised from the 30 real sample products.

Product names combine the samples' own words: a sample's product-kind phrase ("Mật ong dú",
"Trà túi lọc"), sometimes a descriptor taken from another sample name, the producer's brand
(a sample brand and/or a real commune name) and sometimes the pack size. Producers sit in real
communes of the ``communes`` table, and products get 1-2 certificates of 3-5 stars over the last
4.5 years, so about a quarter have lapsed. The search columns come from the real
``producers.services.refresh_search`` (run on light stand-ins for the ORM objects), the cached
stars follow ``Product.current_certificate`` as ``refresh_certificate_cache`` does.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from marketplace.core.text import slugify
from producers import services
from producers.models import VALIDITY_MONTHS, Commune, OcopSet, add_months
from producers.refdata import data_file

SEED = 20261122
KIND_BY_SAMPLE = {"htx": "cooperative", "hkd": "household", "dn": "enterprise"}
PREFIXES = {
    "cooperative": ("HTX", "Hợp tác xã", "HTX Nông nghiệp"),
    "household": ("Cơ sở", "Hộ kinh doanh"),
    "enterprise": ("Công ty TNHH", "Công ty Cổ phần"),
}
# Sample names the capitalisation rule below splits badly: (kind phrase, brand).
SPLIT_OVERRIDES = {
    "P015": ("Trà sâm Ngọc Linh", "MITRI TEA"),
    "P016": ("Nấm linh xanh", "MITRI TEA"),
    "P023": ("Trà", "Minh Tâm"),
    "P029": ("Trà Tân Cương", "Sơn Dung"),
}
DESCRIPTORS = ("truyền thống", "nguyên chất", "tinh khiết", "hương quê", "đặc biệt", "hữu cơ")
PRICE_FACTORS = (0.6, 0.8, 1.0, 1.0, 1.2, 1.5, 2.0)
PROVENANCE = "Dữ liệu tổng hợp cho benchmark (bench/), từ 30 sản phẩm mẫu."


@dataclass
class Catalogue:
    """Rows ready for bulk insert, in dependency order."""

    producers: list[dict[str, Any]]
    products: list[dict[str, Any]]
    certificates: list[dict[str, Any]]
    images: list[dict[str, Any]]


def split_name(sample: dict[str, Any]) -> tuple[str, str]:
    """(kind phrase, brand): the leading words up to the first capitalised word after the first."""
    if sample["id"] in SPLIT_OVERRIDES:
        return SPLIT_OVERRIDES[sample["id"]]
    words = sample["name_vi"].split()
    for i, word in enumerate(words[1:], 1):
        if word[:1].isupper():
            return " ".join(words[:i]), " ".join(words[i:])
    return sample["name_vi"], ""


def load_samples() -> list[dict[str, Any]]:
    """The 30 sample products as shipped."""
    with data_file("sample_products.json").open(encoding="utf-8") as fh:
        return json.load(fh)["products"]


class _Slugs:
    """``services.unique_slug`` without the database: ``-2``, ``-3``… on collisions."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, text: str) -> str:
        base = slug = slugify(text)
        n = 2
        while slug in self.taken:
            slug, n = f"{base}-{n}", n + 1
        self.taken.add(slug)
        return slug


class _RefSession:
    """Just enough of a Session for ``services.refresh_search``: reference rows by key."""

    def __init__(self, refs: dict[str, Any]) -> None:
        self.refs = refs

    def get(self, model: type, key: Any) -> Any:
        if model is OcopSet:
            return SimpleNamespace(set_no=key, name_vi=self.refs["sets"][key])
        if model is Commune:
            name, province_code, _ = self.refs["communes"][key]
            province = SimpleNamespace(
                code=province_code, name=self.refs["provinces"][province_code]
            )
            return SimpleNamespace(code=key, name=name, province=province)
        raise LookupError(f"refresh_search needs {model.__name__}: teach bench/synth.py")

    def flush(self) -> None:
        pass


def search_columns(session: _RefSession, row: dict[str, Any], producer: dict[str, Any]) -> None:
    """Set ``search_name``/``search_text`` on ``row`` with the real ``refresh_search``."""
    product = SimpleNamespace(**row, producer=SimpleNamespace(**producer))
    services.refresh_search(session, product)  # type: ignore[arg-type]
    row["search_name"], row["search_text"] = product.search_name, product.search_text


def _weight(sample: dict[str, Any]) -> int | None:
    return None if sample["ocop"]["set_no"] == 26 else 500


def synthesise(n_products: int, refs: dict[str, Any], today: date, seed: int = SEED) -> Catalogue:
    """The whole catalogue; ``refs`` holds communes, provinces and sets from the database."""
    rng = random.Random(seed)
    samples = load_samples()
    splits = [split_name(s) for s in samples]
    brands = [b for _, b in splits if b]
    communes = refs["communes"]
    pool = rng.sample(sorted(communes), k=min(len(communes), max(30, n_products // 25)))
    pool += [f"{int(s['address_new']['commune_code_gso']):05d}" for s in samples]
    now = datetime.now(UTC)
    producer_slugs, product_slugs = _Slugs(), _Slugs()
    producers: list[dict[str, Any]] = []
    themes: list[int] = []
    by_name: dict[str, int] = {}

    def add_producer(name: str, kind: str, commune: str, theme: int, brand: str) -> int:
        pid = len(producers) + 1
        producers.append(
            {
                "id": pid,
                "kind": kind,
                "name": name,
                "slug": producer_slugs(name),
                "tax_code": None,
                "representative": "",
                "phone": "",
                "commune_code": commune,
                "province_code": communes[commune][1],
                "street": "",
                "description": f"{name}, {communes[commune][0]}.",
                "bank_bin": None,
                "bank_account": None,
                "bank_account_name": None,
                "status": "active" if rng.random() < 0.97 else "suspended",
                "provenance": PROVENANCE,
                "source_ref": f"bench:p{pid}",
                "created_at": now,
                "updated_at": now,
                "_brand": brand,
            }
        )
        themes.append(theme)
        return pid

    sample_producer: list[int] = []
    for i, s in enumerate(samples):
        name = s["producer"]["name"]
        if name not in by_name:
            commune = f"{int(s['address_new']['commune_code_gso']):05d}"
            by_name[name] = add_producer(
                name, KIND_BY_SAMPLE[s["producer"]["type"]], commune, i, splits[i][1]
            )
        sample_producer.append(by_name[name])
    for _ in range(max(1, n_products // 10) - len(producers)):
        theme = rng.randrange(len(samples))
        commune = rng.choice(pool)
        place = communes[commune][2]
        brand = rng.choice((rng.choice(brands), f"{rng.choice(brands)} {place}", place))
        kind = rng.choice(tuple(PREFIXES))
        word = " ".join(splits[theme][0].split()[:2]).lower()
        add_producer(f"{rng.choice(PREFIXES[kind])} {word} {brand}", kind, commune, theme, brand)

    weights = [min(rng.paretovariate(1.5), 40.0) for _ in producers]
    owners = sample_producer[: min(n_products, len(samples))]
    owners += rng.choices(range(1, len(producers) + 1), weights=weights, k=n_products - len(owners))
    cat = Catalogue(producers, [], [], [])
    for index, owner in enumerate(owners):
        producer = producers[owner - 1]
        if index < len(samples):
            sample, name = samples[index], samples[index]["name_vi"]
        else:
            theme = themes[owner - 1] if rng.random() < 0.7 else rng.randrange(len(samples))
            sample = samples[theme]
            parts = [splits[theme][0]]
            if rng.random() < 0.25:
                parts.append(rng.choice(DESCRIPTORS))
            parts.append(producer["_brand"])
            if rng.random() < 0.4:
                parts.append(sample["package"])
            name = " ".join(p for p in parts if p)
        _add_product(cat, rng, index + 1, producer, sample, name, refs, today, now, product_slugs)
    for p in producers:
        del p["_brand"]
    return cat


def _add_product(
    cat: Catalogue,
    rng: random.Random,
    pid: int,
    producer: dict[str, Any],
    sample: dict[str, Any],
    name: str,
    refs: dict[str, Any],
    today: date,
    now: datetime,
    slugs: _Slugs,
) -> None:
    ocop = sample["ocop"]
    commune_name, province_code, _ = refs["communes"][producer["commune_code"]]
    province_name = refs["provinces"][province_code]
    description = (
        f"{name} — sản phẩm OCOP nhóm {ocop['group_vi']}, phân nhóm {ocop['subgroup_vi']}. "
        f"Quy cách: {sample['package']}.\nNơi sản xuất: {commune_name}, {province_name}."
    )
    certs = _certificates(rng, pid, ocop["stars"], today)
    cat.certificates.extend(certs)
    current = next((c for c in certs if c["decision_date"] <= today <= c["valid_until"]), None)
    price = int(round(int(sample["retail_price_vnd"]) * rng.choice(PRICE_FACTORS), -3))
    cat.products.append(
        {
            "id": pid,
            "producer_id": producer["id"],
            "name": name,
            "slug": slugs(name),
            "set_no": ocop["set_no"],
            "description": description,
            "unit": sample["unit"],
            "net_quantity": sample["package"],
            "price_vnd": price,
            "stock": rng.randrange(0, 200),
            "weight_grams": _weight(sample),
            "shelf_life": "",
            "storage_notes": "",
            "status": "published" if rng.random() < 0.95 else rng.choice(("draft", "hidden")),
            "cert_stars": current["stars"] if current else None,
            "cert_valid_until": current["valid_until"] if current else None,
            "provenance": PROVENANCE,
            "source_ref": f"bench:{pid}",
            "created_at": now - timedelta(minutes=len(cat.products)),
            "updated_at": now,
        }
    )
    search_columns(_RefSession(refs), cat.products[-1], producer)
    digest = f"{pid:064x}"
    cat.images.append(
        {
            "product_id": pid,
            "position": 0,
            "original_path": f"bench/{digest[:2]}/{digest}.jpg",
            "thumb_small_path": f"bench/{digest[:2]}/{digest}-320.webp",
            "thumb_large_path": f"bench/{digest[:2]}/{digest}-800.webp",
            "width": 1200,
            "height": 1200,
            "sha256": digest,
            "alt": f"Ảnh minh hoạ: {name}"[:200],
            "is_placeholder": True,
            "created_at": now,
        }
    )


def _certificates(rng: random.Random, pid: int, stars: int, today: date) -> list[dict[str, Any]]:
    """1-2 decisions, newest first (the order ``Product.current_certificate`` walks)."""
    first = today - timedelta(days=rng.randrange(30, 1640))
    dates = [first]
    if rng.random() < 0.3 and (today - first).days > 400:
        dates.append(first + timedelta(days=rng.randrange(365, (today - first).days)))
    out = []
    for day in sorted(dates, reverse=True):
        out.append(
            {
                "product_id": pid,
                "stars": min(5, max(3, stars + rng.choice((-1, 0, 0, 0, 1)))),
                "decision_number": f"{rng.randrange(100, 9999)}/QĐ-UBND",
                "decision_date": day,
                "issuing_authority": "UBND tỉnh (dữ liệu tổng hợp)",
                "valid_until": add_months(day, VALIDITY_MONTHS),
                "document_path": None,
                "note": PROVENANCE,
                "date_estimated": False,
                "created_at": datetime.now(UTC),
            }
        )
    return out
