"""Extraction benchmark: opdcwatch's generic extractor against trafilatura and readability-lxml.

Run by hand (needs the ``bench`` extra)::

    .venv/bin/python bench/extract.py            # public set + Thai fixtures
    .venv/bin/python bench/extract.py --limit 40 # a quicker look

Two corpora, scored with the article-extraction-benchmark's metric (4-token shingles,
precision and recall averaged over pages, F1 of the averages, see :mod:`parsers.quality`):

- ``../shared/bench/article-extraction-benchmark``: 181 real pages with ground truth,
  ``\\w+`` tokens, as the benchmark scores it;
- the Thai fixtures under ``tests/fixtures/pages`` plus the real prachatai page in
  ``../shared/thai-html``, pythainlp tokens (``\\w+`` would swallow a Thai clause whole).

Every extractor gets the same decoded HTML string and is timed over the whole corpus in the
same run; pages/s and the ratios against trafilatura (the baseline) are printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import ParseError, parse_html  # noqa: E402
from parsers.encoding import decode_bytes  # noqa: E402
from parsers.quality import Score, score_pages, shingle_match, thai_tokens, word_tokens  # noqa: E402

PUBLIC = ROOT.parent / "shared" / "bench" / "article-extraction-benchmark"
THAI_PAGES = ROOT / "tests" / "fixtures" / "pages"
PRACHATAI = ROOT.parent / "shared" / "thai-html" / "newspaper4k"

Extractor = Callable[[str], str]
Page = tuple[str, str]  # (html, expected text)


def opdcwatch(html: str) -> str:
    try:
        return parse_html(html).text
    except ParseError:
        return ""


def load_trafilatura() -> Extractor | None:
    try:
        import trafilatura
    except ImportError:
        return None
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

    def run(html: str) -> str:
        return trafilatura.extract(html, include_comments=False) or ""

    return run


def load_readability() -> Extractor | None:
    try:
        import lxml.html
        from readability import Document
    except ImportError:
        return None
    logging.getLogger("readability").setLevel(logging.CRITICAL)

    def run(html: str) -> str:
        try:
            summary = Document(html).summary(html_partial=True)
            return lxml.html.fromstring(summary).text_content()
        except Exception:  # a peer's failure on one page scores as an empty answer
            return ""

    return run


def public_pages(limit: int | None) -> list[Page]:
    truth = json.loads((PUBLIC / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit] if limit else sorted(truth)
    pages = []
    for key in keys:
        raw = gzip.decompress((PUBLIC / "html" / f"{key}.html.gz").read_bytes())
        pages.append((raw.decode("utf-8", errors="replace"), truth[key]["articleBody"]))
    return pages


def thai_pages() -> list[Page]:
    pages = []
    for expected_path in sorted(THAI_PAGES.glob("*.expected.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        raw = expected_path.with_name(expected_path.name.replace(".expected.json", ".html"))
        html, _ = decode_bytes(raw.read_bytes(), expected.get("content_type"))
        pages.append((html, "\n".join(expected["paragraphs"])))
    page = PRACHATAI / "prachatai_thai_article.html"
    if page.exists():
        expected_text = page.with_name("prachatai_thai_article.expected.txt")
        pages.append((page.read_text(encoding="utf-8"), expected_text.read_text(encoding="utf-8")))
    return pages


def run(
    extractor: Extractor, pages: list[Page], tokenize: Callable[[str], list[str]], repeat: int
) -> tuple[Score, float]:
    """Return the score and pages per second (extraction only, best of ``repeat`` runs)."""
    elapsed = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        outputs = [extractor(html) for html, _ in pages]
        elapsed = min(elapsed, time.perf_counter() - started)
    score = score_pages(
        shingle_match(expected, out, tokenize)
        for (_, expected), out in zip(pages, outputs, strict=True)
    )
    return score, len(pages) / elapsed


def report(title: str, results: dict[str, tuple[Score, float]]) -> None:
    print(f"\n{title}")
    print(
        f"{'extractor':<14} {'precision':>9} {'recall':>7} {'F1':>6} {'pages/s':>8} "
        f"{'F1 ratio':>8} {'speed ratio':>11}"
    )
    base = results.get("trafilatura")
    for name, (score, speed) in results.items():
        f1_ratio = f"{score.f1 / base[0].f1:.3f}" if base and base[0].f1 else "-"
        speed_ratio = f"{speed / base[1]:.2f}x" if base else "-"
        print(
            f"{name:<14} {score.precision:>9.3f} {score.recall:>7.3f} {score.f1:>6.3f} "
            f"{speed:>8.1f} {f1_ratio:>8} {speed_ratio:>11}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N public pages")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per corpus (best)")
    parser.add_argument(
        "--only",
        default="opdcwatch,trafilatura,readability",
        help="comma-separated extractors to run",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    candidates = {
        "opdcwatch": lambda: opdcwatch,
        "trafilatura": load_trafilatura,
        "readability": load_readability,
    }
    extractors: dict[str, Extractor] = {}
    for name in args.only.split(","):
        extractor = candidates[name]()
        if extractor is None:
            print(f"{name}: not installed (pip install 'opdcwatch[bench]'), skipped")
            continue
        extractors[name] = extractor
    thai_tokens("warm up")  # the pythainlp dictionary load is not an extractor's cost
    opdcwatch("<html><body><p>warm up</p></body></html>")

    corpora = []
    if PUBLIC.is_dir():
        corpora.append(
            ("public set (article-extraction-benchmark)", public_pages(args.limit), word_tokens, 1)
        )
    thai = ("Thai pages (tests/fixtures/pages + prachatai)", thai_pages(), thai_tokens, 10)
    corpora.append(thai)
    for title, pages, tokenize, weight in corpora:
        repeat = max(1, args.repeat * weight)  # the Thai corpus is small: time it more often
        results = {name: run(fn, pages, tokenize, repeat) for name, fn in extractors.items()}
        report(f"{title}: {len(pages)} pages", results)


if __name__ == "__main__":
    main()
