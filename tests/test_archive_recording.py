"""How much work recording one page costs: statements per outcome, on each backend.

Recording is the crawl's hot path; these bounds keep answers the recorder can get from the
article's own state query (is the body stored? which version had this content?) from
drifting back into extra round trips. Outcomes and stored data are checked alongside.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text

from archive import Archive, RecordResult, queries
from parsers import parse_bytes
from tests.archive_helpers import ARTICLE_URL, MIRROR_URL, page, record


@contextmanager
def statements(arch: Archive) -> Iterator[list[str]]:
    """Collect the SQL statements the archive sends while the block runs."""
    seen: list[str] = []

    def note(conn, cursor, statement, params, context, executemany) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(arch.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(arch.engine, "before_cursor_execute", note)


def _record(arch: Archive, name: str, hours: float, **kwargs) -> RecordResult:
    """Record a saved page parsed beforehand, as the crawler hands it over."""
    return record(arch, name, hours, article=parse_bytes(page(name)), site="opdc", **kwargs)


def test_recording_costs_a_bounded_number_of_statements(arch: Archive) -> None:
    with statements(arch) as first_of_site:
        _record(arch, "opdc_v1.html", 0)
    with statements(arch) as first_of_article:
        mirror = _record(arch, "mirror_v1.html", 1, url=MIRROR_URL)
    with statements(arch) as changed:
        edited = _record(arch, "opdc_v2_sentence.html", 2)
    with statements(arch) as noise:
        same = _record(arch, "opdc_v1_noise.html", 3)  # new bytes, the content of version 1
    with statements(arch) as replay:
        again = _record(arch, "opdc_v1_noise.html", 4)  # the very same bytes again
    assert (mirror.outcome, edited.outcome, same.outcome) == ("new", "changed", "changed")
    assert (same.revert_of, same.version, again.outcome) == (1, 3, "unchanged")
    # each bound holds one INSERT into the fetch log (every answer is logged, issue 15)
    assert len(first_of_site) <= 13, first_of_site
    assert len(first_of_article) <= 10, first_of_article  # 9 once the site reference is cached
    assert len(changed) <= 7, changed  # the site's reference body is cached
    assert len(noise) <= 7, noise
    assert len(replay) <= 4, replay
    for seen in (first_of_article, changed, noise):
        lookups = [s for s in seen if s.startswith(("SELECT max", "SELECT bodies.digest"))]
        assert lookups == [], seen  # revert and stored-body lookups ride on the state query


def test_a_body_already_stored_is_not_stored_twice(arch: Archive) -> None:
    _record(arch, "opdc_v1.html", 0)
    _record(arch, "opdc_v2_sentence.html", 1)
    # the same bytes under a second address: a new article, but no second copy of the body
    copy = _record(arch, "opdc_v1.html", 2, url=f"{ARTICLE_URL}?print=1")
    assert copy.outcome == "new"
    with arch.reading() as conn:
        bodies = conn.execute(text("SELECT count(*) FROM bodies")).scalar_one()
        digests = conn.execute(text("SELECT count(DISTINCT digest) FROM captures")).scalar_one()
        edited_capture = conn.execute(
            text("SELECT capture_id FROM versions WHERE number = 2")
        ).scalar_one()
    assert bodies == digests == 2
    assert "ป่าดงทำเลดอนใหญ่" in queries.get_article(arch, copy.article_id)["text"]
    # the edited page, stored against the first as its reference, reads back byte for byte
    assert queries.get_capture(arch, edited_capture)["body"] == page("opdc_v2_sentence.html")
