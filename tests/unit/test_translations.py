"""Every string marked for translation has an English translation, and it compiles."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LC = ROOT / "marketplace" / "translations" / "en" / "LC_MESSAGES"
METHODS = [
    ("marketplace/**.py", "python"),
    ("producers/**.py", "python"),
    ("templates/**.html", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_english_catalogue_translates_every_marked_string():
    with (LC / "messages.po").open("rb") as fh:
        catalogue = read_po(fh, locale="en")
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalogue
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_extracted() - translated)
    assert not missing, "add English for these (see docs/ARCHITECTURE.md, i18n): " + repr(missing)


def test_compiled_catalogue_matches_po():
    with (LC / "messages.po").open("rb") as po, (LC / "messages.mo").open("rb") as mo:
        source, compiled = read_po(po, locale="en"), read_mo(mo)

    def ids(catalogue):
        return {tuple(m.id) if isinstance(m.id, list | tuple) else m.id for m in catalogue if m.id}

    assert ids(source) == ids(compiled), "run: pybabel compile -d marketplace/translations"
