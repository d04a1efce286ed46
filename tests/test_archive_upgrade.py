"""No version storm: a new extractor or new parse options never turn old versions into changes.

Each version records the extraction key (extractor version + the site's parse options) that
made its hash; when a fetch's hash differs from the baseline and the baseline was made under
another key, the archive reads the stored capture again with today's parser before it calls
the fetch a change. Tested on the archive release 0.1.0 wrote
(tests/fixtures/archive/release-0.1.0.db) and on the real prachatai page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from archive import Archive
from archive.bodies import load_body
from parsers import Article, ParseOptions, parse_bytes
from parsers import options as parse_options
from tests.archive_helpers import at

THAI_HTML = Path(__file__).resolve().parent / "fixtures" / "thai-html"
PRACHATAI = THAI_HTML / "newspaper4k" / "prachatai_thai_article.html"
PRACHATAI_URL = "https://prachatai.com/journal/2019/01/80642"
WORD = "ทางการเมือง"
# a real edit: one sentence of the article rewritten
EDIT = ("ได้ทำใจแต่แรกแล้ว", "ไม่เคยคิดมาก่อน")


def _captures_of_latest_versions(arch: Archive) -> list[tuple[str, bytes, list]]:
    """(url, raw bytes, headers) of the capture every article's latest version was read from."""
    with arch.reading() as conn:
        rows = conn.execute(
            text(
                "SELECT a.url, c.digest, c.headers FROM articles a "
                "JOIN versions v ON v.id = a.latest_version_id "
                "JOIN captures c ON c.id = v.capture_id ORDER BY a.id"
            )
        ).all()
        return [
            (url, load_body(conn, digest), json.loads(headers)) for url, digest, headers in rows
        ]


def _version_counts(arch: Archive) -> dict[str, int]:
    with arch.reading() as conn:
        return dict(conn.execute(text("SELECT url, version_count FROM articles")).all())


def test_release_0_1_0_captures_recorded_again_make_no_version(release_archive: str) -> None:
    """Every article of the old archive fetched again, as the same bytes and as bytes that differ
    only where no reader looks (an HTML comment): unchanged, every one, with no new version."""
    with Archive.open(release_archive) as arch:
        before = _version_counts(arch)
        captures = _captures_of_latest_versions(arch)
        assert len(captures) == len(before) == 19
        for hours, (url, body, headers) in enumerate(captures, start=1):
            pairs = [tuple(pair) for pair in headers]
            for again in (body, body + b"\n<!-- fetched again -->\n"):
                result = arch.record_page(
                    url=url,
                    status=200,
                    headers=pairs,
                    body=again,
                    fetched_at=at(24 * 365 * 6 + hours),
                )
                assert result.outcome == "unchanged", (url, result)
        assert _version_counts(arch) == before
        with arch.reading() as conn:
            keys = conn.execute(text("SELECT DISTINCT baseline_key FROM articles")).scalars().all()
            assert keys == [ParseOptions().extraction_key()]  # every baseline now under today's key
            assert conn.execute(text("SELECT count(*) FROM versions")).scalar() == 21


def test_release_0_1_0_article_really_edited_gets_a_version(release_archive: str) -> None:
    with Archive.open(release_archive) as arch:
        url, body, _ = next(c for c in _captures_of_latest_versions(arch) if "prachatai" in c[0])
        edited = body.replace(EDIT[0].encode(), EDIT[1].encode())
        assert edited != body
        result = arch.record_page(url=url, status=200, headers={}, body=edited, fetched_at=at(1e5))
        assert (result.outcome, result.version, result.rebaselined) == ("changed", 2, False)
        with arch.reading() as conn:
            key = conn.execute(
                text("SELECT extraction_key FROM versions WHERE number = 2 AND article_id = :a"),
                {"a": result.article_id},
            ).scalar()
        assert key == ParseOptions().extraction_key()


def test_a_word_wrapped_in_a_link_is_no_new_version(arch: Archive) -> None:
    """Measured on the real page: this made version 2, whose diff was two inserted spaces."""
    raw = PRACHATAI.read_bytes()
    linked = raw.replace(WORD.encode(), f'<a href="/tags/politics">{WORD}</a>'.encode(), 1)
    assert arch.record_page(url=PRACHATAI_URL, status=200, headers={}, body=raw).outcome == "new"
    again = arch.record_page(url=PRACHATAI_URL, status=200, headers={}, body=linked)
    assert (again.outcome, again.version) == ("unchanged", 1)


def _older_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_options, "EXTRACTOR_VERSION", parse_options.EXTRACTOR_VERSION - 1)


def test_versions_read_by_an_older_extractor_are_rebaselined(
    arch: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upgrade itself: a version stored under the old extractor's key holds the text that
    extractor read (release 0.1.0 set a linked word off with spaces); the new one reads the same
    page without them. Re-reading the stored capture proves that only the reading changed."""
    raw = PRACHATAI.read_bytes()
    linked = raw.replace(WORD.encode(), f'<a href="/tags/politics">{WORD}</a>'.encode(), 1)
    today = parse_bytes(linked)
    old_reading = Article(today.title, today.text.replace(WORD, f" {WORD} ", 1), today.published)
    assert old_reading.content_hash != today.content_hash
    with monkeypatch.context() as patched:
        _older_extractor(patched)
        first = arch.record_page(
            url=PRACHATAI_URL,
            status=200,
            headers={},
            body=linked,
            article=old_reading,
            fetched_at=at(0),
        )
    assert first.outcome == "new"
    refetched = linked.replace(b"</body>", b"<!-- cache: HIT -->\n</body>")
    again = arch.record_page(
        url=PRACHATAI_URL, status=200, headers={}, body=refetched, fetched_at=at(1)
    )
    assert (again.outcome, again.version, again.rebaselined) == ("unchanged", 1, True)
    third = arch.record_page(
        url=PRACHATAI_URL, status=200, headers={}, body=linked, fetched_at=at(2)
    )
    assert (third.outcome, third.rebaselined) == ("unchanged", False)  # no second re-reading
    edited = linked.replace(EDIT[0].encode(), EDIT[1].encode())
    changed = arch.record_page(
        url=PRACHATAI_URL, status=200, headers={}, body=edited, fetched_at=at(3)
    )
    assert (changed.outcome, changed.version) == ("changed", 2)
    with arch.reading() as conn:
        texts = conn.execute(text("SELECT text FROM versions ORDER BY number")).scalars().all()
    assert texts[0] == old_reading.text  # stored versions are never rewritten


def test_changed_profile_selectors_rebaseline_instead_of_versioning(arch: Archive) -> None:
    """A profile whose title selector is dropped reads another title from every page."""
    raw = PRACHATAI.read_bytes()
    pinned = ParseOptions(selectors={"title": "head > title"})
    first = arch.record_page(
        url=PRACHATAI_URL, status=200, headers={}, body=raw, options=pinned, fetched_at=at(0)
    )
    assert first.outcome == "new"
    with arch.reading() as conn:
        title = conn.execute(text("SELECT title FROM versions")).scalar()
    assert title != parse_bytes(raw).title
    again = arch.record_page(
        url=PRACHATAI_URL, status=200, headers={}, body=raw + b"<!-- -->", fetched_at=at(1)
    )
    assert (again.outcome, again.version, again.rebaselined) == ("unchanged", 1, True)


def test_pages_handed_over_unparsed_use_the_archives_resolver(sqlite_url: str) -> None:
    """ingest and import-warc pass no options: the archive asks its resolver (the profiles)."""
    raw = PRACHATAI.read_bytes()
    pinned = ParseOptions(selectors={"title": "head > title"})
    asked: list[tuple[str, str]] = []

    def resolver(site: str, url: str) -> ParseOptions:
        asked.append((site, url))
        return pinned

    with Archive.open(sqlite_url, options_for=resolver) as arch:
        arch.record_page(url=PRACHATAI_URL, status=200, headers={}, body=raw, site="prachatai")
        with arch.reading() as conn:
            row = conn.execute(text("SELECT title, extraction_key FROM versions")).one()
    assert asked and asked[0][0] == "prachatai"
    assert row.title == parse_bytes(raw, options=pinned).title
    assert row.extraction_key == pinned.extraction_key()
