"""The crawl's fast path reads a page exactly as ``opdcwatch parse`` reads the same bytes.

The spider parses each article once for the article and its links, hashes the body without
normalising it twice and sorts links through a cache; none of that may change what is
archived. Both replica layouts are crawled through the command line, every capture is
exported (WARC) and parsed again with ``opdcwatch parse``, and each archived version
(exported as JSON Lines) must be what that parse gives: title, text, dates, content hash,
and that hash what ``content_hash`` makes of the text normalised from scratch.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.profile import write_replica_profile
from parsers import content_hash
from tests.cli_helpers import opdcwatch

FIELDS = ("title", "text", "published", "modified", "content_hash")


def export(tmp_path: Path, db: str, fmt: str) -> Path:
    out = tmp_path / f"export.{fmt}"
    result = opdcwatch("export", "--format", fmt, "--out", str(out), "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return out


def captured_pages(warc: Path, folder: Path) -> dict[str, Path]:
    """Write the body of every 200 response in the WARC to a file; return them by URL."""
    folder.mkdir()
    pages: dict[str, Path] = {}
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers.get_statuscode() != "200":
                continue
            path = folder / f"{len(pages)}.html"
            path.write_bytes(record.content_stream().read())
            pages[record.rec_headers.get_header("WARC-Target-URI")] = path
    return pages


@pytest.mark.parametrize(
    ("layout", "articles", "specials"),
    [("classic", 10, True), ("portal", 24, False)],
    ids=["classic, windows-874 pages and traps", "portal, 45 KB pages with a mega-menu"],
)
def test_archived_versions_equal_opdcwatch_parse_of_the_captured_bytes(
    tmp_path: Path, fixtures_dir: Path, layout: str, articles: int, specials: bool
) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    site = ReplicaSite(articles, per_page=6, specials=specials, slow_seconds=0.2, layout=layout)
    with ReplicaServer(site) as server:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        crawl = opdcwatch("crawl", "replica", "--profile", str(profile), "--db", db, cwd=tmp_path)
    assert crawl.returncode == 0, crawl.stderr

    versions = [
        json.loads(line)
        for line in export(tmp_path, db, "jsonl").read_text(encoding="utf-8").splitlines()
    ]
    pages = captured_pages(export(tmp_path, db, "warc"), tmp_path / "pages")
    assert len(versions) >= articles - 1  # all but the binary and the filtered ones
    urls = [v["url"] for v in versions]
    parsed = opdcwatch(
        "parse",
        *(str(pages[url]) for url in urls),
        "--json",
        "--site",
        "replica",
        "--profile",
        str(profile),
        cwd=tmp_path,
    )
    assert parsed.returncode == 0, parsed.stderr
    for version, line in zip(versions, parsed.stdout.splitlines(), strict=True):
        again = json.loads(line)
        for name in FIELDS:
            assert version[name] == again[name], (version["url"], name)
        # the hash taken without normalising the body twice is the full normalisation's
        assert version["content_hash"] == content_hash(version["title"], version["text"])
