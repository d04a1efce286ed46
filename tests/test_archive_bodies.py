"""Raw bodies: stored once per digest, compressed against a reference, checked on read."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from archive import Archive, ArchiveError
from archive.bodies import digest_of, load_body, ref_depth
from archive.constants import CODEC_ZSTD, CODEC_ZSTD_REF, MAX_REF_DEPTH
from archive.schema import bodies, sites
from tests.archive_helpers import MIRROR_URL, page, record


def _bodies(arch: Archive) -> dict[str, tuple[str, str | None, int, int]]:
    with arch.reading() as conn:
        rows = conn.execute(select(bodies)).all()
    return {r.digest: (r.codec, r.ref_digest, r.raw_size, len(r.data)) for r in rows}


def test_versions_compress_against_the_article_and_site(arch: Archive) -> None:
    names = ["opdc_v1.html", "opdc_v2_sentence.html", "opdc_v3_title.html", "opdc_v1_noise.html"]
    for hours, name in enumerate(names):
        record(arch, name, hours)
    record(arch, "script_v1.html", 9, url="https://www.opdc.go.th/content/1300")
    stored = _bodies(arch)
    first = digest_of(page("opdc_v1.html"))
    assert stored[first][:2] == (CODEC_ZSTD, None)
    for name in names[1:]:
        codec, ref, raw, size = stored[digest_of(page(name))]
        assert (codec, ref) == (CODEC_ZSTD_REF, first)
        assert size < raw / 10, f"{name}: {size} bytes for {raw}"
    # another article of the same site shares the site's template
    assert stored[digest_of(page("script_v1.html"))][1] == first
    with arch.reading() as conn:
        assert conn.execute(select(sites.c.ref_digest)).scalar() == first
        for name in [*names, "script_v1.html"]:
            assert load_body(conn, digest_of(page(name))) == page(name)
            assert ref_depth(conn, digest_of(page(name))) <= MAX_REF_DEPTH


def test_identical_bodies_are_stored_once(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0)
    record(arch, "opdc_v1.html", 1, url=MIRROR_URL)
    assert len(_bodies(arch)) == 1


def test_a_corrupt_body_is_detected_not_returned(sqlite_arch: Archive) -> None:
    import zstandard

    record(sqlite_arch, "opdc_404.html", 0, status=404)  # standalone, nothing cached by reads
    digest = digest_of(page("opdc_404.html"))
    forged = zstandard.ZstdCompressor().compress(b"<html>tampered</html>")
    with sqlite_arch.writing() as conn:
        conn.execute(update(bodies).where(bodies.c.digest == digest).values(data=forged))
    with sqlite_arch.reading() as conn, pytest.raises(ArchiveError, match="corrupt"):
        load_body(conn, digest)
