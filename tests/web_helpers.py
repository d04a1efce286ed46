"""Builds the web tests' archive the real way: every page in tests/fixtures/web/corpus.json
goes through ``Archive.record_page`` (and so through the parsers), inside crawl runs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from archive import Archive

WEB_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
OPDC_URL = "https://www.opdc.go.th/content/Nzk4Mw"
XSS_URL = "https://www.opdc.go.th/content/xss-alert"
PRNEWS_URL = "https://www.prnewsthai.example/news/12"
REPOST_URL = "https://www.prnewsthai.example/news/20"


def build_web_archive(db_url: str) -> dict[str, int]:
    """Record the corpus into the archive at ``db_url``; return {capture key: article id}."""
    corpus = json.loads((WEB_FIXTURES / "corpus.json").read_text(encoding="utf-8"))
    ids: dict[str, int] = {}
    with Archive.open(db_url) as arch:
        for run in corpus["runs"]:
            run_id = arch.start_run(run["site"])
            counts = dict.fromkeys(("pages", "new", "changed", "unchanged", "gone", "errors"), 0)
            for key in run["captures"]:
                cap = corpus["captures"][key]
                result = arch.record_page(
                    url=cap["url"],
                    status=cap["status"],
                    headers=cap["headers"],
                    body=(WEB_FIXTURES / cap["file"]).read_bytes(),
                    site=run["site"],
                    fetched_at=datetime.fromisoformat(cap["fetched_at"]),
                    run_id=run_id,
                )
                ids[key] = result.article_id
                counts["pages"] += 1
                counts[result.outcome] += 1
            counts["errors"] = len(run["errors"])
            arch.finish_run(run_id, outcome=run["outcome"], counts=counts, errors=run["errors"])
    return ids
