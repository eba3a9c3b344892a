"""Load the reference data shipped in ``marketplace/data`` into the database.

Runs after every ``ocop db upgrade``. Each file's SHA-256 is recorded, so an unchanged file
costs one query and a changed one is upserted by primary key (rows that producers point at are
updated in place, never deleted and re-created).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from marketplace.core.db import utcnow
from marketplace.core.text import nfc

from .models import (
    Bank,
    Commune,
    CommuneLineage,
    OcopGroup,
    OcopSet,
    OcopSubgroup,
    Province,
    ReferenceVersion,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_file(name: str) -> Path:
    """Path of a shipped data file."""
    return DATA_DIR / name


def _sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _csv_rows(name: str) -> list[dict[str, str]]:
    with data_file(name).open(encoding="utf-8", newline="") as fh:
        return [{k: nfc(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def _provinces() -> list[dict[str, Any]]:
    return [
        {"code": r["code"], "name": r["name"], "type": r["type"], "name_ascii": r["name_ascii"]}
        for r in _csv_rows("provinces.csv")
    ]


def _communes() -> list[dict[str, Any]]:
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "type": r["type"],
            "province_code": r["province_code"],
            "name_ascii": r["name_ascii"],
        }
        for r in _csv_rows("communes.csv")
    ]


def _lineage() -> list[dict[str, Any]]:
    rows = []
    for r in _csv_rows("lineage.csv"):
        rows.append(
            {
                "old_province_code": r["old_province_code"],
                "old_province_name": r["old_province_name"],
                "old_district_code": r["old_district_code"],
                "old_district_name": r["old_district_name"],
                "old_commune_code": r["old_commune_code"] or None,
                "old_commune_name": r["old_commune_name"],
                "new_commune_code": r["new_commune_code"],
                "note": r["note"][:400],
                "is_split": "split:" in r["note"],
            }
        )
    return rows


def ocop_classification() -> list[dict[str, Any]]:
    """The current classification tree as shipped (groups -> subgroups -> product_sets)."""
    with data_file("ocop_categories.json").open(encoding="utf-8") as fh:
        return json.load(fh)["classification_current"]


def _ocop_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    groups, subgroups, sets = [], [], []
    for g in ocop_classification():
        groups.append(
            {"code": g["code"], "slug": g["slug"], "name_vi": g["name_vi"], "name_en": g["name_en"]}
        )
        for s in g["subgroups"]:
            subgroups.append(
                {
                    "code": s["code"],
                    "group_code": g["code"],
                    "slug": s["slug"],
                    "name_vi": s["name_vi"],
                    "name_en": s["name_en"],
                }
            )
            for p in s["product_sets"]:
                sets.append(
                    {
                        "set_no": p["set_no"],
                        "code": p["code"],
                        "subgroup_code": s["code"],
                        "group_code": g["code"],
                        "slug": p["slug"],
                        "name_vi": p["name_vi"],
                        "name_en": p["name_en"],
                    }
                )
    return groups, subgroups, sets


def _banks() -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for r in _csv_rows("banks.csv"):
        if not r["bin"] or not r["vietqr_code"]:
            continue  # a bank without a NAPAS BIN cannot receive a VietQR transfer
        rows[r["vietqr_code"]] = {
            "code": r["vietqr_code"],
            "bin": r["bin"],
            "short_name": r["short_name"],
            "name": r["sbv_name"] or r["short_name"],
            "vietqr_status": r["vietqr_status"],
            "swift": r["swift"],
        }
    return list(rows.values())


def _upsert(session: Session, model: Any, key: str, rows: Iterable[dict[str, Any]]) -> int:
    """Insert new rows and update changed ones, keyed by ``key``; returns the row count."""
    table = model.__table__
    existing = {row._mapping[key]: dict(row._mapping) for row in session.execute(select(table))}
    new, changed = [], []
    count = 0
    for row in rows:
        count += 1
        old = existing.get(row[key])
        if old is None:
            new.append(row)
        elif any(old.get(k) != v for k, v in row.items()):
            changed.append(row)
    if new:
        session.execute(insert(table), new)
    for row in changed:
        session.execute(update(table).where(table.c[key] == row[key]).values(**row))
    return count


def _replace(session: Session, model: Any, rows: list[dict[str, Any]]) -> int:
    session.execute(delete(model))
    if rows:
        session.execute(insert(model.__table__), rows)
    return len(rows)


def _datasets() -> list[tuple[str, list[Path], Callable[[Session], int]]]:
    def ocop(session: Session) -> int:
        groups, subgroups, sets = _ocop_rows()
        _upsert(session, OcopGroup, "code", groups)
        _upsert(session, OcopSubgroup, "code", subgroups)
        return _upsert(session, OcopSet, "set_no", sets)

    return [
        (
            "provinces",
            [data_file("provinces.csv")],
            lambda s: _upsert(s, Province, "code", _provinces()),
        ),
        (
            "communes",
            [data_file("communes.csv")],
            lambda s: _upsert(s, Commune, "code", _communes()),
        ),
        ("lineage", [data_file("lineage.csv")], lambda s: _replace(s, CommuneLineage, _lineage())),
        ("ocop", [data_file("ocop_categories.json")], ocop),
        ("banks", [data_file("banks.csv")], lambda s: _upsert(s, Bank, "code", _banks())),
    ]


def sync_reference_data(session: Session) -> dict[str, int]:
    """Load every changed reference file; returns rows loaded per dataset (0 = unchanged)."""
    loaded: dict[str, int] = {}
    versions = {v.name: v for v in session.scalars(select(ReferenceVersion))}
    for name, paths, load in _datasets():
        digest = _sha256(*paths)
        version = versions.get(name)
        if version is not None and version.sha256 == digest:
            loaded[name] = 0
            continue
        rows = load(session)
        if version is None:
            session.add(ReferenceVersion(name=name, sha256=digest, rows=rows))
        else:
            version.sha256, version.rows, version.loaded_at = digest, rows, utcnow()
        session.flush()
        loaded[name] = rows
    return loaded
