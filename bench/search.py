"""Search benchmark: recall and precision on real Thai text, index build rate, query latency.

Run by hand::

    .venv/bin/python bench/search.py                                # recall, precision
    .venv/bin/python bench/search.py --archive /tmp/bench-100k.db   # + rate and latency
    .venv/bin/python bench/search.py --archive /tmp/bench-100k.db --postgres auto

Recall and precision: real Thai pages (../shared/seeds, the prachatai page, the saved pages of
tests/fixtures, the replica's pages) recorded into a fresh archive the real way, then one
search per word: every dictionary word (2+ characters) that occurs in them on Thai character
cluster boundaries, and the everyday words of tests/fixtures/search/everyday_words.txt. The
baseline in the same run is release 0.1.0's index (pythainlp's words as FTS5 unicode61 tokens,
a query as a phrase of its words), built from the same versions.

Rate and latency (``--archive``, an archive built by ``bench/archive.py --build``): terms per
second against 0.1.0's terms on the same versions; p50/p99 of a search for a common word, a
rare one, a phrase, page 2 and page 50, against counting every match (what ranking by score
must at least do) in the same run. ``--postgres`` copies that archive's articles and versions
into a temporary PostgreSQL database and measures the same there.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from archive import Archive  # noqa: E402
from archive.paging import PageKey  # noqa: E402
from archive.search import Filters, SearchIndex, iter_search, search  # noqa: E402
from archive.search_terms import (  # noqa: E402
    dictionary_words,
    document_terms,
    occurs,
    parse_query,
    piece_terms,
    pieces,
    searchable_text,
)
from bench.archive import SHARED, postgres_db  # noqa: E402
from bench.load import percentile  # noqa: E402
from crawler.demo.pages import render_article  # noqa: E402
from crawler.demo.site import ReplicaSite  # noqa: E402
from parsers.normalize import normalize_text  # noqa: E402
from parsers.segment import split_words  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
EVERYDAY = FIXTURES / "search" / "everyday_words.txt"
_WORD_CHAR_RE = re.compile(r"[^\W_]")


def real_thai_pages() -> list[tuple[str, bytes]]:
    """(URL, body) of every real Thai page the benchmark searches."""
    pages = [
        (f"https://seeds.example/{p.stem}", p.read_bytes())
        for p in (SHARED / "seeds").glob("*.txt")
    ]
    prachatai = SHARED / "thai-html" / "newspaper4k" / "prachatai_thai_article.html"
    pages.append(("https://prachatai.com/journal/2019/01/80795", prachatai.read_bytes()))
    for folder in ("pages", "web", "archive"):
        for path in sorted((FIXTURES / folder).glob("*.html")):
            pages.append((f"https://{folder}.example/{path.stem}", path.read_bytes()))
    site = ReplicaSite(12, slow_seconds=0)
    for art in site.articles():
        body, _ = render_article(site, art, "http://127.0.0.1:8000")
        pages.append((f"http://127.0.0.1:8000{art.path}", body))
    return pages


@lru_cache(maxsize=65536)
def _old_chunk_terms(chunk: str) -> str:
    words = _WORD_CHAR_RE.search
    return " ".join(t.lower() for t in split_words(chunk) if words(t))


def old_terms(title: str | None, body: str) -> str:
    """Release 0.1.0's terms: pythainlp's words of the normalised text, lower-cased, each
    space-separated chunk segmented once (memoised, as 0.1.0 did)."""
    chunks = normalize_text(f"{title or ''}\n{body}").split()
    return " ".join(filter(None, map(_old_chunk_terms, chunks)))


def old_phrase(query: str) -> str:
    """Release 0.1.0's FTS5 query of one word: a phrase of its pythainlp words."""
    return '"' + old_terms(None, query).replace('"', '""') + '"'


def recall_precision() -> None:
    """Recall and precision of this index and of 0.1.0's on the same real Thai pages."""
    with tempfile.TemporaryDirectory(prefix="opdcwatch-search-") as tmp:
        url = f"sqlite:///{tmp}/thai.db"
        pages = real_thai_pages()
        with Archive.open(url) as arch:
            for page_url, body in pages:
                arch.record_page(url=page_url, status=200, headers={}, body=body)
            index = SearchIndex(arch.engine)
            index.refresh()
            with arch.engine.begin() as conn:
                conn.exec_driver_sql("CREATE VIRTUAL TABLE old_fts USING fts5(terms, content='')")
                rows = conn.execute(text("SELECT id, article_id, title, text FROM versions")).all()
                conn.execute(
                    text("INSERT INTO old_fts(rowid, terms) VALUES (:id, :terms)"),
                    [{"id": r.id, "terms": old_terms(r.title, r.text)} for r in rows],
                )
            owner = {r.id: r.article_id for r in rows}
            texts = [(r.article_id, searchable_text(r.title, r.text)) for r in rows]
            occurrences: dict[str, set[int]] = {}
            for article_id, haystack in texts:
                for piece in pieces(haystack):
                    for word in dictionary_words(piece):
                        if len(word) >= 2:
                            occurrences.setdefault(word, set()).add(article_id)
            everyday = [
                w.strip()
                for w in EVERYDAY.read_text(encoding="utf-8").splitlines()
                if w.strip() and not w.startswith("#")
            ]
            print(f"\n== recall and precision: {len(pages)} real Thai pages ==")
            with arch.engine.connect() as conn:
                for label, words in (
                    (
                        f"every dictionary word inside them ({len(occurrences):,})",
                        sorted(occurrences),
                    ),
                    (f"everyday words ({len(everyday)})", everyday),
                ):

                    def new(word: str) -> set[int]:
                        return {h.article_id for h in iter_search(index, conn, parse_query(word))}

                    def old(word: str) -> set[int]:
                        sql = text("SELECT rowid FROM old_fts WHERE old_fts MATCH :q")
                        return {
                            owner[v] for v in conn.execute(sql, {"q": old_phrase(word)}).scalars()
                        }

                    truth = {w: {a for a, t in texts if occurs(t, w)} for w in words}
                    literal = {w: {a for a, t in texts if w in t} for w in words}
                    for name, run in (("opdcwatch", new), ("0.1.0 (baseline)", old)):
                        found = {w: run(w) for w in words}
                        hits = sum(len(found[w] & truth[w]) for w in words)
                        relevant = sum(len(truth[w]) for w in words)
                        returned = sum(len(found[w]) for w in words)
                        plain = sum(len(found[w] & literal[w]) for w in words)
                        print(
                            f"  {label:<44} {name:<17} recall {hits / relevant:6.1%}  precision "
                            f"{hits / max(returned, 1):6.1%}  (recall against plain substrings "
                            f"{plain / sum(len(v) for v in literal.values()):.1%})"
                        )


def timed(func: Callable[[], object], runs: int) -> tuple[float, float]:
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 0.99)


def build_rate(arch: Archive, sample: int) -> None:
    """Terms per second of versions, this index's against 0.1.0's, on the same versions."""
    with arch.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT title, text FROM versions ORDER BY id DESC LIMIT :n"), {"n": sample}
        ).all()
    chars = sum(len(r.text) for r in rows)
    piece_terms("ก")  # pythainlp's dictionary, loaded before the clock starts
    for label, terms, cache in (
        ("opdcwatch terms", document_terms, piece_terms),
        ("0.1.0 terms (baseline)", old_terms, _old_chunk_terms),
    ):
        cache.cache_clear()  # each starts cold and fills its cache as it goes
        start = time.process_time()
        for row in rows:
            terms(row.title, row.text)
        cpu = time.process_time() - start
        print(
            f"  {label:<24} {len(rows) / cpu:8,.0f} versions per CPU-second "
            f"({chars / cpu / 1000:,.0f} k chars/s, each side's cache starting empty)"
        )


def latency(arch: Archive, label: str, runs: int) -> None:
    """p50/p99 of typical searches against counting every match in the same run."""
    index = SearchIndex(arch.engine)
    started = time.perf_counter()
    added = index.refresh()
    if added:
        elapsed = time.perf_counter() - started
        print(f"  index build: {added:,} versions in {elapsed:,.0f} s = {added / elapsed:,.0f}/s")
    backend = index.backend
    with arch.engine.connect() as conn:
        common = parse_query("ประชาชน")
        total = backend.count(conn, common.terms, False, 10**9)
        versions = conn.execute(text("SELECT count(*) FROM versions")).scalar()
    print(f"  {label}: 'ประชาชน' is in {total:,} of {versions:,} versions")

    def page(query: str, pages: int = 1, **kwargs) -> Callable[[], object]:
        def run() -> None:
            after = None
            for _ in range(pages):
                found = search(index, query, limit=30, after=after, catch_up=0, **kwargs)
                after = PageKey.decode(found.next_key) if found.next_key else None

        return run

    def count_all() -> None:
        with arch.engine.connect() as conn:
            backend.count(conn, common.terms, False, 10**9)

    cases = [
        ("count every match of 'ประชาชน' (baseline)", count_all),
        ("search 'ประชาชน', page 1", page("ประชาชน")),
        ("search 'ประชาชน', pages 1-2", page("ประชาชน", 2)),
        ("search 'ประชาชน', pages 1-50", page("ประชาชน", 50)),
        ("search 'ประชาชน' site=okmass", page("ประชาชน", filters=Filters(site="okmass"))),
        ("search 'ก.พ.ร.'", page("ก.พ.ร.")),
        ("search 'สาธารณะ ท้องถิ่น'", page("สาธารณะ ท้องถิ่น")),
        ("search '\"บริการประชาชน\"'", page('"บริการประชาชน"')),
        ("search 'ฟุตบอลโลก' (no hit)", page("ฟุตบอลโลก")),
    ]
    for name, func in cases:
        p50, p99 = timed(func, runs)
        print(f"  {name:<44} p50 {p50:8.1f} ms  p99 {p99:8.1f} ms")


def copy_to_postgres(sqlite_file: Path, pg_url: str) -> bool:
    """Copy sites, articles, captures and versions into a migrated PostgreSQL archive (the raw
    bodies stay behind: foreign keys are not checked during the copy). A database that has
    them already (a run interrupted while indexing) is kept as it is: False."""
    Archive.open(pg_url).close()
    source = create_engine(f"sqlite:///{sqlite_file}")
    target = create_engine(pg_url)
    with target.connect() as conn:
        if conn.execute(text("SELECT count(*) FROM versions")).scalar():
            print("  reusing the copy already there")
            return False
    tables = {
        "sites": "id, name",
        "articles": "id, url, site_id, first_seen, last_checked, last_changed, gone_at, "
        "version_count, latest_version_id",
        "captures": "id, article_id, url, fetched_at, status, headers, etag, last_modified, "
        "digest, run_id",
        "versions": "id, article_id, number, fetched_at, title, published, modified, text, "
        "content_hash, capture_id, revert_of",
    }
    with source.connect() as src, target.begin() as dst:
        dst.exec_driver_sql("SET session_replication_role = replica")
        for table, columns in tables.items():
            names = [c.strip() for c in columns.split(",")]
            rows = src.execution_options(yield_per=5000).execute(
                text(f"SELECT {columns} FROM {table}")
            )
            insert = text(
                f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + n for n in names)})"
            )
            for chunk in rows.partitions():
                dst.execute(insert, [dict(r._mapping) for r in chunk])
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            dst.exec_driver_sql(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
            dst.exec_driver_sql(f"ANALYZE {table}")  # as autovacuum would after a bulk load
    source.dispose()
    target.dispose()
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--archive", type=Path, help="a SQLite archive from bench/archive.py --build"
    )
    parser.add_argument(
        "--postgres", metavar="URL|auto", help="also on PostgreSQL (with --archive)"
    )
    parser.add_argument("--runs", type=int, default=50, help="runs per search (default 50)")
    parser.add_argument("--sample", type=int, default=3000, help="versions for the build rate")
    parser.add_argument("--skip-recall", action="store_true", help="only rate and latency")
    args = parser.parse_args()
    if not args.skip_recall:
        recall_precision()
    if not args.archive:
        return
    print(f"\n== {args.archive} (SQLite) ==")
    with Archive.open(f"sqlite:///{args.archive}", create=False) as arch:
        build_rate(arch, args.sample)
        latency(arch, "SQLite", args.runs)
    if args.postgres:
        url, drop = postgres_db() if args.postgres == "auto" else (args.postgres, None)
        try:
            print("\n== the same articles and versions on PostgreSQL ==")
            started = time.perf_counter()
            if copy_to_postgres(args.archive, url):
                print(f"  copied in {time.perf_counter() - started:,.0f} s")
            with Archive.open(url) as arch:
                latency(arch, "PostgreSQL", args.runs)
        finally:
            if drop:
                drop()


if __name__ == "__main__":
    main()
