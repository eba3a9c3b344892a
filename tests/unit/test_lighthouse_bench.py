"""The Lighthouse bench's own logic, without running Lighthouse: what it reads from a report,
which scores fail the run, and how it rewrites its section of docs/BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path

from bench.lighthouse import report, runner

META = {
    "date": "2026-11-22 20:00 UTC",
    "command": "python -m bench.lighthouse",
    "cpu": "AMD EPYC",
    "cores": 2,
    "chromium": "Chromium 156.0.8078.79",
    "lighthouse": "13.5.0",
}


def page(name: str, public: bool, **scores: int | None) -> dict[str, object]:
    full = {"performance": 99, "accessibility": 100, "best-practices": 100, "seo": 100}
    full |= {k.replace("_", "-"): v for k, v in scores.items()}
    failing = {k: [f"{k} audit"] for k, v in full.items() if v is not None and v < 100}
    return {"name": name, "path": "/x", "public": public, "scores": full, "failing": failing}


def test_gates_accessibility_and_best_practices_everywhere_seo_on_public_pages_only():
    results = [
        page("home", True, seo=94),
        page("login", False, seo=63, performance=40),
        page("reports", False, accessibility=94),
        page("cart", True, best_practices=95),
    ]
    assert report.failures(results) == [
        "home: seo 94 < 95 (seo audit)",
        "reports: accessibility 94 < 95 (accessibility audit)",
    ]


def test_a_category_lighthouse_could_not_score_fails():
    broken = page("product", True, accessibility=None)
    broken["error"] = "NO_FCP"
    assert report.failures([broken]) == ["product: accessibility None < 95 (NO_FCP)"]


def test_table_bolds_what_is_below_target_and_hides_order_tokens():
    results = [page("home", True, performance=85), page("payment", False, seo=63)]
    results[1]["path"] = "/don-hang/Ab-c_9/bien-nhan/DH1"
    text = report.table(results, META)
    assert "AMD EPYC, 2 cores; Chromium 156.0.8078.79, Lighthouse 13.5.0" in text
    assert "| home | `/x` | **85** | 100 | 100 | 100 |" in text
    # SEO is not a target of private pages: recorded, not marked
    assert (
        "| payment (private) | `/don-hang/<token>/bien-nhan/<number>` | 99 | 100 | 100 | 63 |"
        in text
    )


def test_only_the_marked_section_is_replaced(tmp_path: Path):
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text(f"# B\n\nabove\n{report.START}\nold\n{report.END}\nbelow\n", encoding="utf-8")
    report.update_doc("new table", doc)
    assert doc.read_text() == f"# B\n\nabove\n{report.START}\nnew table\n{report.END}\nbelow\n"
    bare = "# B\n"
    assert report.replace_section(bare, "t") == f"# B\n\n{report.START}\nt\n{report.END}\n"


def test_summary_reads_scores_and_the_failing_weighted_audits():
    audits = {
        "color-contrast": {"title": "Contrast", "score": 0},
        "label": {"title": "Labels", "score": 1},
        "bypass": {"title": "Skip link", "score": None},
        "target-size": {"title": "Targets", "score": 0},
    }
    refs = [
        {"id": "color-contrast", "weight": 7},
        {"id": "label", "weight": 7},
        {"id": "bypass", "weight": 7},
        {"id": "target-size", "weight": 0},  # informative: not counted
    ]
    categories = {key: {"score": 1.0, "auditRefs": []} for key in runner.CATEGORIES}
    categories["accessibility"] = {"score": 0.874, "auditRefs": refs}
    categories["seo"]["score"] = None
    found = runner.summary({"audits": audits, "categories": categories})
    assert found["scores"] == {
        "performance": 100,
        "accessibility": 87,
        "best-practices": 100,
        "seo": None,
    }
    assert found["failing"]["accessibility"] == ["Contrast"]
    assert found["error"] is None
