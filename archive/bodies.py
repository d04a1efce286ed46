"""Raw response bodies, stored once per SHA-256 digest and compressed with zstandard.

News pages of one site share most of their bytes (the template). A body is therefore
compressed with a *reference* body as a raw-content dictionary: the site's first body, whose
compressor and decompressor are built once and reused for every page of the site. (Against an
article's own first body a later version would shrink to a few hundred bytes instead of about
two thousand, but loading a fresh 60 KB dictionary per page cost a quarter of the ingest time,
and the version's text, stored beside it, is most of the archive's size anyway.) References are
chosen so that reading any body decompresses at most two others, and decompressed references
are cached since they are read again and again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import zstandard
from sqlalchemy import Connection, bindparam, select

from archive.constants import CODEC_ZSTD, CODEC_ZSTD_REF, ZSTD_LEVEL
from archive.exceptions import ArchiveError
from archive.prepared import Prepared
from archive.schema import bodies

_Coder = TypeVar("_Coder", zstandard.ZstdCompressor, zstandard.ZstdDecompressor)
_CACHE_SIZE = 64  # decompressed reference bodies kept in memory (a few MB at most)
_cache: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()
_local = threading.local()  # zstd (de)compressors are not safe to share between threads
_CODERS_PER_THREAD = 8  # (de)compressors kept per thread, keyed by reference digest
_EXISTS = Prepared(select(bodies.c.digest).where(bodies.c.digest == bindparam("digest")))
_LOAD = Prepared(
    select(bodies.c.codec, bodies.c.ref_digest, bodies.c.data).where(
        bodies.c.digest == bindparam("digest")
    )
)
_INSERT = Prepared(bodies.insert(), keys=("digest", "codec", "ref_digest", "raw_size", "data"))


def digest_of(body: bytes) -> str:
    """Return the SHA-256 hex digest that identifies a raw body."""
    return hashlib.sha256(body).hexdigest()


def _per_thread(kind: str, key: str, make: Callable[[], _Coder]) -> _Coder:
    """Return this thread's cached (de)compressor for ``key``, making it on a miss.

    Loading a reference into zstd costs more than compressing a page against it, and the
    site's reference serves every article of the site.
    """
    cache: OrderedDict[str, _Coder] | None = getattr(_local, kind, None)
    if cache is None:
        cache = OrderedDict()
        setattr(_local, kind, cache)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    coder = cache[key] = make()
    if len(cache) > _CODERS_PER_THREAD:
        cache.popitem(last=False)
    return coder


def _raw_dict(ref: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(ref, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def _compressor(ref: bytes | None, ref_digest: str | None) -> zstandard.ZstdCompressor:
    if ref is None or ref_digest is None:
        return _per_thread("compressors", "", lambda: zstandard.ZstdCompressor(level=ZSTD_LEVEL))
    return _per_thread(
        "compressors",
        ref_digest,
        lambda: zstandard.ZstdCompressor(level=ZSTD_LEVEL, dict_data=_raw_dict(ref)),
    )


def ref_depth(conn: Connection, digest: str) -> int:
    """Return how many references must be decompressed before the body ``digest``."""
    depth = 0
    current: str | None = digest
    while current is not None:
        current = conn.execute(
            select(bodies.c.ref_digest).where(bodies.c.digest == current)
        ).scalar_one_or_none()
        if current is not None:
            depth += 1
    return depth


def store_body(
    conn: Connection,
    body: bytes,
    digest: str,
    ref_digest: str | None,
    *,
    stored: bool | None = None,
) -> bool:
    """Insert the body under ``digest`` unless it is already stored; return True if inserted.

    ``stored`` is the caller's answer to "is it stored?", read in this same transaction; None
    asks the database.
    """
    if stored is None:
        stored = _EXISTS.run(conn, {"digest": digest}).first() is not None
    if stored:
        return False
    ref = load_body(conn, ref_digest) if ref_digest else None
    data = _compressor(ref, ref_digest).compress(body)
    _INSERT.run(
        conn,
        {
            "digest": digest,
            "codec": CODEC_ZSTD_REF if ref_digest else CODEC_ZSTD,
            "ref_digest": ref_digest,
            "raw_size": len(body),
            "data": data,
        },
    )
    return True


def load_body(conn: Connection, digest: str) -> bytes:
    """Return the raw bytes of the body ``digest``, checking them against the digest."""
    with _cache_lock:
        if digest in _cache:
            _cache.move_to_end(digest)
            return _cache[digest]
    row = _LOAD.run(conn, {"digest": digest}).first()
    if row is None:
        raise ArchiveError(f"body {digest[:12]} is missing from the archive")
    if row.codec == CODEC_ZSTD:
        raw = zstandard.ZstdDecompressor().decompress(row.data)
    elif row.codec == CODEC_ZSTD_REF:
        ref = load_body(conn, row.ref_digest)
        decompressor = _per_thread(
            "decompressors",
            row.ref_digest,
            lambda: zstandard.ZstdDecompressor(dict_data=_raw_dict(ref)),
        )
        raw = decompressor.decompress(row.data)
    else:
        raise ArchiveError(f"body {digest[:12]} has unknown codec {row.codec!r}")
    if digest_of(raw) != digest:
        raise ArchiveError(f"body {digest[:12]} is corrupt: its digest does not match")
    with _cache_lock:
        _cache[digest] = raw
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return raw
