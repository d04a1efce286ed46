"""Raw bodies: stored once per digest, compressed against a reference, checked on read."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from archive import Archive, ArchiveError
from archive.bodies import digest_of, load_body, ref_depth
from archive.constants import CODEC_ZSTD, CODEC_ZSTD_REF, MAX_REF_DEPTH
from archive.schema import articles, bodies, sites
from tests.archive_helpers import MIRROR_URL, page, record

OTHER_URL = "https://www.opdc.go.th/content/1400"


def _bodies(arch: Archive) -> dict[str, tuple[str, str | None, int, int]]:
    with arch.reading() as conn:
        rows = conn.execute(select(bodies)).all()
    return {r.digest: (r.codec, r.ref_digest, r.raw_size, len(r.data)) for r in rows}


def test_bodies_compress_against_the_site_reference(arch: Archive) -> None:
    names = ["opdc_v1.html", "opdc_v2_sentence.html", "opdc_v3_title.html", "opdc_v1_noise.html"]
    for hours, name in enumerate(names):
        record(arch, name, hours)
    # a second article, and its later version: against the site's page, not its own first body
    record(arch, "script_v1.html", 9, url=OTHER_URL)
    record(arch, "script_v2.html", 10, url=OTHER_URL)
    stored = _bodies(arch)
    first = digest_of(page("opdc_v1.html"))
    assert stored[first][:2] == (CODEC_ZSTD, None)
    for name in names[1:]:
        codec, ref, raw, size = stored[digest_of(page(name))]
        assert (codec, ref) == (CODEC_ZSTD_REF, first)
        assert size < raw / 10, f"{name}: {size} bytes for {raw}"
    for name in ["script_v1.html", "script_v2.html"]:
        assert stored[digest_of(page(name))][:2] == (CODEC_ZSTD_REF, first)
    with arch.reading() as conn:
        assert conn.execute(select(sites.c.ref_digest)).scalar() == first
        assert (
            conn.execute(select(articles.c.ref_digest).where(articles.c.url == OTHER_URL)).scalar()
            == first
        )
        for name in [*names, "script_v1.html", "script_v2.html"]:
            assert load_body(conn, digest_of(page(name))) == page(name)
            assert ref_depth(conn, digest_of(page(name))) <= MAX_REF_DEPTH


def test_an_article_keeping_its_own_reference_still_reads(arch: Archive) -> None:
    """Older archives compress an article's later captures against its own first body."""
    record(arch, "opdc_v1.html", 0)
    record(arch, "opdc_v2_sentence.html", 1, url=OTHER_URL)
    own = digest_of(page("opdc_v2_sentence.html"))
    with arch.writing() as conn:
        conn.execute(update(articles).where(articles.c.url == OTHER_URL).values(ref_digest=own))
    assert record(arch, "opdc_v3_title.html", 2, url=OTHER_URL).outcome == "changed"
    later = digest_of(page("opdc_v3_title.html"))
    codec, ref, raw, size = _bodies(arch)[later]
    assert (codec, ref) == (CODEC_ZSTD_REF, own)
    assert size < raw / 20, f"{size} bytes for {raw}"
    with arch.reading() as conn:
        assert ref_depth(conn, later) == MAX_REF_DEPTH
        assert load_body(conn, later) == page("opdc_v3_title.html")


def test_identical_bodies_are_stored_once(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0)
    record(arch, "opdc_v1.html", 1, url=MIRROR_URL)
    assert len(_bodies(arch)) == 1


def test_a_corrupt_body_is_detected_not_returned(
    sqlite_arch: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zstandard

    from archive import bodies as bodies_module

    # the read cache is per process and keyed by digest: another test of this worker may have
    # read the same page's body already
    monkeypatch.setattr(bodies_module, "_cache", type(bodies_module._cache)())
    record(sqlite_arch, "opdc_404.html", 0, status=404)  # standalone, nothing cached by reads
    digest = digest_of(page("opdc_404.html"))
    forged = zstandard.ZstdCompressor().compress(b"<html>tampered</html>")
    with sqlite_arch.writing() as conn:
        conn.execute(update(bodies).where(bodies.c.digest == digest).values(data=forged))
    with sqlite_arch.reading() as conn, pytest.raises(ArchiveError, match="corrupt"):
        load_body(conn, digest)
