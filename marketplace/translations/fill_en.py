"""Maintainer tool: fill English for new msgids from a dict, then compile.

Usage: python marketplace/translations/fill_en.py NEW.json  (a {"vi": "en"} object)
Run `pybabel extract`/`pybabel update` first (see docs/ARCHITECTURE.md, Internationalisation).
"""

import json
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LC = Path(__file__).parent / "en" / "LC_MESSAGES"


def main(new_path: str) -> None:
    """Apply translations from NEW.json to messages.po and compile messages.mo."""
    new = json.loads(Path(new_path).read_text(encoding="utf-8"))
    with (LC / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in new:
            message.string = new[key]
            message.flags.discard("fuzzy")  # pybabel's guess is replaced: compile must keep it
    catalog.obsolete.clear()
    catalog.fuzzy = False
    missing = [m.id for m in catalog if m.id and not m.string]
    with (LC / "messages.po").open("wb") as fh:
        write_po(fh, catalog, width=100)
    with (LC / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    print(f"{len(missing)} still untranslated: {missing}")


if __name__ == "__main__":
    main(sys.argv[1])
