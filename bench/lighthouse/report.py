"""Targets, the markdown table of scores, and its section of docs/BENCHMARKS.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .. import sections

DOC = sections.DOC
SECTION = "lighthouse"
START, END = sections.markers(SECTION)
#: gated: accessibility and best practices everywhere, SEO on public pages only
GATED = {"accessibility": 95, "best-practices": 95}
SEO_TARGET = 95
#: recorded, not gated: simulated-throttling performance varies from run to run
PERFORMANCE_TARGET = 90
COLUMNS = (("performance", "perf."), ("accessibility", "a11y"))
COLUMNS += (("best-practices", "best pr."), ("seo", "SEO"))


def targets(public: bool) -> dict[str, int]:
    """The minimum score per gated category for a page."""
    return GATED | ({"seo": SEO_TARGET} if public else {})


def failures(results: list[dict[str, Any]]) -> list[str]:
    """One line per (page, gated category) below target, naming the failing audits."""
    out = []
    for page in results:
        for category, minimum in targets(page["public"]).items():
            score = page["scores"].get(category)
            if score is not None and score >= minimum:
                continue
            audits = "; ".join(page["failing"].get(category, [])) or page.get("error") or "?"
            out.append(f"{page['name']}: {category} {score} < {minimum} ({audits})")
    return out


def shown_path(path: str) -> str:
    """The path without the order token and receipt number, which change every run."""
    path = re.sub(r"/bien-nhan/[^/?]+", "/bien-nhan/<number>", path)
    return re.sub(r"/don-hang/[^/?]+", "/don-hang/<token>", path)


def _cell(page: dict[str, Any], category: str) -> str:
    score = page["scores"].get(category)
    if score is None:
        return "error"
    minimum = targets(page["public"]).get(category)
    if category == "performance":
        minimum = PERFORMANCE_TARGET
    return f"**{score}**" if minimum is not None and score < minimum else str(score)


def table(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The markdown section: machine and versions, then one row per page."""
    lines = [
        f"Last run {meta['date']}: `{meta['command']}`; {meta['cpu']}, {meta['cores']} cores; "
        f"{meta['chromium']}, Lighthouse {meta['lighthouse']}; mobile form factor, default "
        "(simulated) throttling, one run per page. **Bold**: below target (performance 90, "
        "the others 95; SEO counts on public pages only).",
        "",
        "| page | path | " + " | ".join(title for _, title in COLUMNS) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in COLUMNS) + " |",
    ]
    for page in results:
        name = page["name"] + ("" if page["public"] else " (private)")
        cells = " | ".join(_cell(page, key) for key, _ in COLUMNS)
        lines.append(f"| {name} | `{shown_path(page['path'])}` | {cells} |")
    return "\n".join(lines)


def replace_section(text: str, body: str) -> str:
    """``text`` with the lighthouse part of the file holding ``body``."""
    return sections.replace(text, SECTION, body)


def update_doc(body: str, doc: Path = DOC) -> None:
    """Replace only the lighthouse part of docs/BENCHMARKS.md."""
    sections.update(SECTION, body, doc)
