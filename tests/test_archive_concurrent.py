"""Several processes recording the same articles at once on PostgreSQL: nothing lost, nothing
failed, every article's versions numbered 1..n without a gap.

Each writer records every URL once a round, each time with a sentence of its own, so every
record is a change and the archive must end with exactly one version per record. The pages are
the replica's (Thai, with a view counter and a rotating sidebar around the article).
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from archive import Archive
from crawler.demo import ReplicaSite
from crawler.demo.pages import render_article

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WRITERS = 8
ROUNDS = 12
URLS = 10
BASE = "https://www.opdc.go.th"


def _pages(writer: int) -> list[list[tuple[str, bytes, str]]]:
    """Return, round by round, the (url, body, content type) this writer records."""
    site = ReplicaSite(URLS, specials=False)
    rounds = []
    for number in range(ROUNDS):
        pages = []
        for article in site.articles()[:URLS]:
            edited = replace(
                article,
                paragraphs=(*article.paragraphs, f"แก้ไขโดยผู้บันทึกที่ {writer} รอบที่ {number}"),
            )
            body, content_type = render_article(site, edited, BASE + "/")
            pages.append((BASE + article.path, body, content_type))
        rounds.append(pages)
    return rounds


def _write(db_url: str, writer: int, start, results) -> None:
    """One writer process: parse its pages first, then record them all as fast as it can."""
    from parsers import parse_bytes

    rounds = [
        [(url, body, parse_bytes(body, url=url, content_type=ctype)) for url, body, ctype in pages]
        for pages in _pages(writer)
    ]
    failures: list[str] = []
    recorded = 0
    with Archive.open(db_url) as archive:
        start.wait()
        for number, pages in enumerate(rounds):
            for url, body, article in pages:
                try:
                    archive.record_page(
                        url=url,
                        status=200,
                        headers={"Content-Type": "text/html; charset=utf-8"},
                        body=body,
                        site="opdc",
                        article=article,
                        fetched_at=datetime.now(UTC) + timedelta(microseconds=number),
                    )
                    recorded += 1
                except Exception as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
    results.put((writer, recorded, failures))


def test_eight_writers_on_the_same_urls_lose_and_fail_nothing(postgres_url):
    Archive.open(postgres_url).close()  # migrated once, before the writers race
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(WRITERS)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_write, args=(postgres_url, w, start, results)) for w in range(WRITERS)
    ]
    began = time.monotonic()
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=240) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    elapsed = time.monotonic() - began
    records = WRITERS * ROUNDS * URLS
    failures = [f for _, _, found in outcomes for f in found]
    recorded = sum(count for _, count, _ in outcomes)
    with Archive.open(postgres_url) as archive, archive.reading() as conn:
        versions = conn.execute(text("SELECT count(*) FROM versions")).scalar()
        articles = conn.execute(
            text(
                "SELECT a.url, a.version_count, count(v.id) AS n, min(v.number) AS lo, "
                "max(v.number) AS hi, max(v.id) FILTER (WHERE v.number = a.version_count) AS top, "
                "a.latest_version_id FROM articles a JOIN versions v ON v.article_id = a.id "
                "GROUP BY a.id"
            )
        ).all()
    print(
        f"\n{WRITERS} writers, {records} records in {elapsed:.1f} s: {len(failures)} failed, "
        f"{records - versions} versions lost"
    )
    assert failures == []
    assert recorded == records
    assert versions == records  # every record was a change: one version each
    assert len(articles) == URLS
    for row in articles:
        assert (row.n, row.lo, row.hi, row.version_count) == (WRITERS * ROUNDS, 1, row.n, row.n)
        assert row.latest_version_id == row.top
