"""One bench's part of docs/BENCHMARKS.md: the text between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->``, replaced without touching the rest of the file (other benches' parts,
prose), and the machine line every part records."""

from __future__ import annotations

import os
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"


def markers(name: str) -> tuple[str, str]:
    """The start and end comments of part ``name``."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def replace(text: str, name: str, body: str) -> str:
    """``text`` with part ``name`` holding ``body`` (appended at the end when missing)."""
    start, end = markers(name)
    block = f"{start}\n{body}\n{end}"
    if start not in text or end not in text:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    head, rest = text.split(start, 1)
    return head + block + rest.split(end, 1)[1]


def update(name: str, body: str, doc: Path = DOC) -> None:
    """Write part ``name`` of ``doc``, read just before writing (others edit other parts)."""
    doc.write_text(replace(doc.read_text(encoding="utf-8"), name, body), encoding="utf-8")


def cpu() -> str:
    """This machine's CPU model, shortened ("AMD EPYC 7B13"), or the architecture."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1]
                    return re.sub(r"\s+\d+-Core Processor|\(R\)|\(TM\)", "", model).strip()
    except OSError:
        pass
    return os.uname().machine


def machine() -> str:
    """CPU model and core count, as the tables print them."""
    return f"{cpu()}, {os.cpu_count()} cores"
