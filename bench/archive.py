"""Archive benchmark: ingest rate, listing time, show/diff latency and bytes on disk.

Run by hand::

    .venv/bin/python bench/archive.py                      # 100,000 articles x 3, SQLite
    .venv/bin/python bench/archive.py --articles 5000 --postgres auto

Pages are a real Thai news page (../shared/thai-html, 60 KB of menus, sidebars and scripts)
with its article replaced by Thai text drawn from ../shared/seeds, and a view counter and
token that change on every fetch; version 2 edits one sentence, version 3 changes the title
and adds a paragraph. The articles are
recorded pre-parsed (the crawler parses before it records), so the rate is the archive's; the
parser's own rate is printed beside it. Every figure comes with a baseline measured in the
same run: a bare one-table append, standalone zstd per page, and a diff without the
paragraph pre-match.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path

import zstandard

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Column as C  # noqa: E402
from sqlalchemy import LargeBinary, MetaData, Table, Text, text  # noqa: E402  # noqa: E402

from archive import Archive, queries  # noqa: E402
from archive.constants import ZSTD_LEVEL  # noqa: E402
from archive.db import sqlite_path  # noqa: E402
from archive.diff import diff_versions, document  # noqa: E402
from archive.diff_render import render  # noqa: E402
from bench.load import Served, command_times, route_times  # noqa: E402
from parsers import Article, parse_bytes  # noqa: E402
from parsers.segment import is_word, split_words  # noqa: E402

# ../shared beside the project; OPDCWATCH_SHARED names it elsewhere (e.g. from a git worktree)
SHARED = Path(os.environ.get("OPDCWATCH_SHARED") or ROOT.parent / "shared")
SEEDS = SHARED / "seeds"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"

REAL_PAGE = SHARED / "thai-html" / "newspaper" / "prachatai_thai_article.html"
REAL_TITLE = "ผล DNA ยืนยัน ศพลอยแม่น้ำโขงเป็นคนสนิท อ.สุรชัย"
BODY_START = 'property="content:encoded">'
BODY_END = '</div></div></div><div class="field field-name-field-variety'
NOISE = '<div class="counter">ผู้ชม {views} ครั้ง</div><script>var csrf="{token}";</script></body>'


def load_template() -> tuple[str, str, str]:
    """Split the real Thai news page into (head, middle, tail) around its title and body.

    The page is 60 KB of real template (menus, sidebars, scripts) around a 4 KB article:
    what a crawler actually stores. Returns parts joined as head+title+middle+body+tail.
    """
    html = REAL_PAGE.read_text(encoding="utf-8")
    start = html.index(BODY_START) + len(BODY_START)
    end = html.index(BODY_END)
    before, after = html[:start], html[end:]
    head, _, middle = before.partition(REAL_TITLE)
    middle = middle.replace(REAL_TITLE, "")
    return head, middle, after


class Corpus:
    """Deterministic Thai article pages built from the seed dumps."""

    def __init__(self, seed: int = 7) -> None:
        phrases: list[str] = []
        for path in sorted(SEEDS.glob("*.txt")):
            for line in path.read_text(encoding="utf-8").splitlines():
                phrases += [p for p in line.split() if len(p) > 6]
        self.phrases = phrases
        self.rng = random.Random(seed)
        self.template = load_template()

    def paragraph(self, words: int) -> str:
        return " ".join(self.rng.choice(self.phrases) for _ in range(max(1, words // 4)))

    def article(self, words: int) -> tuple[str, list[str]]:
        title = " ".join(self.rng.choice(self.phrases) for _ in range(4))[:120]
        paras = [self.paragraph(self.rng.randint(40, 120)) for _ in range(max(1, words // 80))]
        return title, paras

    def versions(self, words: int) -> list[tuple[str, list[str]]]:
        title, paras = self.article(words)
        edited = list(paras)
        i = self.rng.randrange(len(edited))
        parts = edited[i].split()
        parts[self.rng.randrange(len(parts))] = self.rng.choice(self.phrases)
        edited[i] = " ".join(parts)
        retitled = self.article(12)[0]
        return [(title, paras), (title, edited), (retitled, [*edited, self.paragraph(60)])]

    def page(self, title: str, paras: list[str], fetch: int) -> bytes:
        """Return the page as fetched: the view counter and a token change on every fetch."""
        head, middle, tail = self.template
        views = self.rng.randint(10, 90000) + 17 * fetch
        noise = NOISE.format(views=views, token=f"{self.rng.getrandbits(64):x}{fetch}")
        body = "\n".join(f"<p>{p}</p>" for p in paras)
        return f"{head}{title}{middle}{body}{tail}".replace("</body>", noise).encode("utf-8")


def median_ms(func, runs: int = 25) -> float:
    func()  # warm: the tokenizer, caches, the connection pool
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def naive_diff(old: str, new: str) -> int:
    a, b = split_words(old), split_words(new)
    return len(SequenceMatcher(None, a, b, autojunk=False).get_opcodes())


def disk_bytes(arch: Archive) -> int:
    path = sqlite_path(str(arch.engine.url))
    if path is not None:
        with arch.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.stat().st_size
    with arch.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar())


def baseline_append(db_url: str, pages: list[tuple[str, bytes]]) -> float:
    """Pages/s of the simplest archive: one row per page, raw bytes, one commit per page."""
    arch = Archive.open(db_url)
    table = Table("bench_baseline", MetaData(), C("url", Text), C("body", LargeBinary))
    table.create(arch.engine, checkfirst=True)
    start = time.perf_counter()
    for url, body in pages:
        with arch.engine.begin() as conn:
            conn.execute(table.insert().values(url=url, body=body))
    elapsed = time.perf_counter() - start
    table.drop(arch.engine)
    arch.close()
    return len(pages) / elapsed


SITES = (("opdc-news", 5), ("ryt9", 2), ("thaipr", 2), ("okmass", 1))  # name, weight
SITE_HOSTS = {
    "opdc-news": "www.opdc.go.th/content",
    "ryt9": "www.ryt9.com/s/prg",
    "thaipr": "www.thaipr.net/general",
    "okmass": "www.okmass.com/news",
}
SCHEDULE = "every 6h"


def site_of(n: int) -> str:
    """Return the site article ``n`` belongs to: half opdc-news, the rest the republishers."""
    slot = n % sum(weight for _, weight in SITES)
    for name, weight in SITES:
        if slot < weight:
            return name
        slot -= weight
    raise AssertionError("unreachable")


def schedule_sites(arch: Archive) -> None:
    """Store a schedule for every site, as ``opdcwatch schedule run`` would: the web page and
    ``health`` then judge each site as they do on a real deployment."""
    from crawler.config import load_config
    from crawler.monitor.jobstore import JOB_FUNC, job_id, make_scheduler, stop_scheduler
    from crawler.monitor.triggers import parse_schedule

    config = load_config(None)
    scheduler = make_scheduler(arch, config)
    scheduler.start(paused=True)
    try:
        for name, _ in SITES:
            scheduler.add_job(
                JOB_FUNC,
                trigger=parse_schedule(SCHEDULE, profile=name),
                id=job_id(name),
                name=name,
                args=[name],
                kwargs={"schedule": SCHEDULE},
                replace_existing=True,
            )
    finally:
        stop_scheduler(scheduler, wait=False)


@dataclass
class Ingest:
    """What building the archive measured."""

    pages: int = 0
    raw_total: int = 0
    zstd_alone: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0
    sample: list[tuple[str, bytes]] = field(default_factory=list)


def build_archive(db_url: str, articles: int, sample_size: int = 0) -> Ingest:
    """Record ``articles`` articles x 3 versions over four sites, one crawl run per site and
    round, as the crawler would (pre-parsed); return the ingest figures."""
    corpus = Corpus()
    done = Ingest()
    arch = Archive.open(db_url)
    schedule_sites(arch)
    for fetch in range(3):
        run_ids = {name: arch.start_run(name) for name, _ in SITES}
        counts = {name: {"pages": 0, "new": 0, "changed": 0} for name, _ in SITES}
        for n in range(articles):
            corpus.rng.seed(n)  # article n's versions, regenerated each round: no 100k in memory
            title, paras = corpus.versions(corpus.rng.randint(150, 700))[fetch]
            body = corpus.page(title, paras, fetch)
            site = site_of(n)
            url = f"https://{SITE_HOSTS[site]}/{100000 + n}"
            art = Article(title=title, text="\n".join(paras), published="2024-01-01")
            done.raw_total += len(body)
            if len(done.sample) < sample_size:
                done.sample.append((url, body))
                done.zstd_alone += len(zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(body))
            start, start_cpu = time.perf_counter(), time.process_time()
            result = arch.record_page(
                url=url,
                status=200,
                headers={"Content-Type": "text/html"},
                body=body,
                site=site,
                article=art,
                fetched_at=T0 + timedelta(days=fetch, seconds=n),
                run_id=run_ids[site],
            )
            done.elapsed += time.perf_counter() - start
            done.cpu += time.process_time() - start_cpu
            done.pages += 1
            counts[site]["pages"] += 1
            counts[site][result.outcome] = counts[site].get(result.outcome, 0) + 1
        for name, run_id in run_ids.items():
            arch.finish_run(run_id, outcome="ok", counts=counts[name])
        print(
            f"  round {fetch + 1}: {done.pages:,} pages, {done.pages / done.elapsed:,.0f} pages/s",
            flush=True,
        )
    arch.close()
    return done


def run(label: str, db_url: str, baseline_url: str, args: argparse.Namespace) -> None:
    print(f"\n== {label}: {args.articles:,} articles x 3 versions ==")
    corpus = Corpus()
    done = build_archive(db_url, args.articles, args.sample)
    raw_total, pages_done, zstd_alone = done.raw_total, done.pages, done.zstd_alone
    sample, elapsed, cpu = done.sample, done.elapsed, done.cpu
    arch = Archive.open(db_url)
    rate = pages_done / elapsed
    base_rate = baseline_append(baseline_url, sample)
    parse_start = time.perf_counter()
    for _url, body in sample[:200]:
        parse_bytes(body)
    parse_rate = min(200, len(sample)) / (time.perf_counter() - parse_start)

    big_url = "https://www.opdc.go.th/content/2000words"
    big = corpus.versions(2000)
    for fetch, (title, paras) in enumerate(big):
        arch.record_page(
            url=big_url,
            status=200,
            headers={},
            body=corpus.page(title, paras, fetch),
            article=Article(title=title, text="\n".join(paras)),
            fetched_at=T0 + timedelta(days=10 + fetch),
        )
    words = sum(1 for t in split_words(document(queries.get_article(arch, big_url))) if is_word(t))
    list_ms = median_ms(lambda: queries.list_articles(arch), runs=3)
    page_ms = median_ms(lambda: queries.list_articles(arch, site="opdc-news", limit=50))
    scan_ms = median_ms(
        lambda: arch.engine.connect().execute(text("SELECT id, url FROM articles")).all(), runs=3
    )
    show_ms = median_ms(lambda: queries.get_article(arch, big_url))
    diff_ms = median_ms(
        lambda: render(diff_versions(arch, big_url, from_version=1, to_version=2), "text")
    )
    old = document(queries.get_article(arch, big_url, version=1))
    new = document(queries.get_article(arch, big_url, version=2))
    naive_ms = median_ms(lambda: naive_diff(old, new), runs=10)
    size = disk_bytes(arch)
    with arch.engine.connect() as conn:
        versions = int(conn.execute(text("SELECT count(*) FROM versions")).scalar())
    arch.close()
    raw_per_version = raw_total / versions
    print(
        f"  ingest: {rate:,.0f} pages/s (bare one-table append baseline {base_rate:,.0f} "
        f"pages/s, ratio {rate / base_rate:.2f}; goal >= 500)"
    )
    print(
        f"  ingest per CPU-second of this process: {pages_done / cpu:,.0f} pages "
        "(the machine is shared: wall-clock rates vary with its load)"
    )
    print(f"  parse_bytes alone (for reference): {parse_rate:,.0f} pages/s")
    print(
        f"  articles listing, all {args.articles + 1:,}: {list_ms:,.0f} ms "
        f"(bare scan {scan_ms:,.0f} ms, ratio {list_ms / scan_ms:.1f}); "
        f"first 50 of a site: {page_ms:.1f} ms"
    )
    print(f"  show, {words:,}-word article: {show_ms:.1f} ms")
    print(
        f"  diff, {words:,}-word article: {diff_ms:.1f} ms (whole-document word diff "
        f"baseline {naive_ms:.1f} ms, ratio {diff_ms / naive_ms:.2f}; goal < 50 ms)"
    )
    print(
        f"  disk: {size / versions:,.0f} bytes per version vs {raw_per_version:,.0f} raw HTML "
        f"bytes ingested per version = {size / raw_total:.1%} of raw (goal <= 25%); "
        f"standalone zstd per page would be {zstd_alone / sum(len(b) for _, b in sample):.1%}, "
        f"zlib {len(zlib.compress(sample[0][1])) / len(sample[0][1]):.1%}"
    )


def build_file(path: Path, articles: int) -> None:
    """Build the archive into ``path`` unless it is there; an interrupted build is not kept."""
    if path.exists():
        print(f"{path} exists: reusing it")
        return
    partial = path.with_name(path.name + ".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    print(f"building {articles:,} articles x 3 versions into {path}")
    done = build_archive(f"sqlite:///{partial}", articles)
    print(f"  {done.pages:,} pages at {done.pages / done.elapsed:,.0f} pages/s")
    partial.rename(path)


COMMON_WORD = "ประชาชน"  # in most articles of the generated archive
RARE_WORD = "ฟุตบอลโลก"  # in none: a search that finds nothing must be as quick


def read_routes(served: Served, middle: int) -> list[tuple[str, str]]:
    """Return (label, path) of every web route, on article ``middle`` where one is needed."""
    quoted = urllib.parse.quote(COMMON_WORD)
    first = served.get(f"/articles?q={quoted}")[1].decode()
    found = re.search(r'<a rel="next" href="([^"]+)"', first)
    second = html.unescape(found.group(1)) if found else f"/articles?q={quoted}&page=2"
    return [
        ("/ (home)", "/"),
        ("/articles", "/articles"),
        ("/articles?page=1667 (middle)", "/articles?page=1667"),
        ("/articles?page=3334 (last)", "/articles?page=3334"),
        ("/articles?changed=1", "/articles?changed=1"),
        ("/articles?site=okmass", "/articles?site=okmass"),
        (f"/articles?q={COMMON_WORD}", f"/articles?q={quoted}"),
        (f"/articles?q={COMMON_WORD}, page 2", second),
        (f"/articles?q={COMMON_WORD}&site=okmass", f"/articles?q={quoted}&site=okmass"),
        (f"/articles?q={RARE_WORD} (no hit)", f"/articles?q={urllib.parse.quote(RARE_WORD)}"),
        ("/articles/ID", f"/articles/{middle}"),
        ("/articles/ID/versions/1", f"/articles/{middle}/versions/1"),
        ("/articles/ID/diff", f"/articles/{middle}/diff"),
        ("/articles/ID/versions/1/raw", f"/articles/{middle}/versions/1/raw"),
        ("/feed.atom", "/feed.atom"),
        ("/healthz", "/healthz"),
        ("/api/articles", "/api/articles"),
        ("/api/articles?offset=99900", "/api/articles?offset=99900"),
        (f"/api/articles?q={COMMON_WORD}", f"/api/articles?q={quoted}"),
        ("/api/articles/ID", f"/api/articles/{middle}"),
        ("/api/articles/ID/diff", f"/api/articles/{middle}/diff"),
    ]


def read_bench(path: Path, requests: int) -> None:
    """Every web route's p50/p99 at concurrency 1 and 8, and the reading commands' times."""
    count = article_count(path)
    middle = count // 2
    print(f"\n== reading {path}: {count:,} articles ==")
    with Served(str(path)) as served:
        routes = read_routes(served, middle)
        for concurrency in (1, 8):
            print(f"web routes, concurrency {concurrency}:")
            for label, route in routes:
                timing = route_times(
                    served, label, route, concurrency=concurrency, requests=requests
                )
                print(timing.line(), flush=True)
    read_commands(path, middle)


def article_count(path: Path) -> int:
    """Count the articles of a SQLite archive without opening (so migrating) it."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def read_commands(path: Path, middle: int) -> None:
    """The reading commands' wall and CPU time, start-up included, and peak memory."""
    print("commands (the whole process, start-up included):")
    for label, args, runs in [
        ("health", ["health"], 5),
        ("show ID", ["show", str(middle)], 5),
        ("diff ID", ["diff", str(middle)], 5),
        (f"search {COMMON_WORD} --limit 30", ["search", COMMON_WORD, "--limit", "30"], 5),
        ("articles --json (all)", ["articles", "--json"], 2),
    ]:
        print(command_times(label, [*args, "--db", str(path)], runs=runs).line(), flush=True)


def postgres_db() -> tuple[str, Callable[[], None]]:
    """Create a throwaway database on the local server; return its URL and what drops it."""
    import psycopg

    name = f"opdcwatch_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles (x 3 versions)")
    parser.add_argument(
        "--sample", type=int, default=3000, help="pages used for the baselines (default 3000)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL|auto",
        help="also run on PostgreSQL ('auto': a temporary database on 127.0.0.1)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument(
        "--build",
        metavar="FILE",
        type=Path,
        help="only build the archive into the SQLite FILE (kept, for the reading benchmarks)",
    )
    parser.add_argument(
        "--read",
        metavar="FILE",
        type=Path,
        help="only time every web route and the reading commands on the SQLite FILE",
    )
    parser.add_argument(
        "--requests", type=int, default=100, help="requests per route (--read; default 100)"
    )
    parser.add_argument(
        "--commands", metavar="FILE", type=Path, help="only time the reading commands on FILE"
    )
    args = parser.parse_args()
    if args.build:
        build_file(args.build, args.articles)
        return
    if args.read:
        read_bench(args.read, args.requests)
        return
    if args.commands:
        read_commands(args.commands, article_count(args.commands) // 2)
        return
    with tempfile.TemporaryDirectory(prefix="opdcwatch-bench-") as tmp:
        if not args.no_sqlite:
            run("SQLite", f"sqlite:///{tmp}/bench.db", f"sqlite:///{tmp}/baseline.db", args)
        if args.postgres:
            url, drop = postgres_db() if args.postgres == "auto" else (args.postgres, None)
            try:
                run("PostgreSQL", url, url, args)
            finally:
                if drop:
                    drop()


if __name__ == "__main__":
    main()
