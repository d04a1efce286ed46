"""Bytes to text: pick the right codec for Thai pages whose declarations are often wrong.

Thai government sites still serve windows-874/TIS-620 pages, sometimes declared in the HTTP
header only, sometimes in a ``<meta>`` only, sometimes not at all, and sometimes declared as
something they are not (ISO-8859-1, or UTF-8 on a page saved in windows-874). The order of
trust, measured on such pages: a BOM, then bytes that are valid UTF-8 with multi-byte sequences
(legacy Thai text is never accidentally valid UTF-8), then the declaration if the bytes decode
under it, then windows-874 if the text reads as Thai, then what charset-normalizer finds, and
only then a lossy decode.

"Reads as Thai" is measured, not guessed from byte ranges: Chinese (GB2312, GBK, Big5) and
Japanese (Shift_JIS, EUC-JP) bytes also decode to Thai letters under windows-874, and often
to well-formed Thai syllables; but real Thai segments into dictionary words (0.98 of its
letters on real TIS-620 feeds) and such text into almost nothing (below 0.2). Labels are
resolved as browsers resolve them (the WHATWG table, through w3lib): "gb2312" is GBK
(gb18030), "shift_jis" is windows-31j, "iso-8859-1" is windows-1252, "tis-620" windows-874.
"""

from __future__ import annotations

import codecs
import logging
import re

from w3lib.encoding import resolve_encoding

from parsers.boilerplate import BINARY_MAGIC, THAI_CHARSET_LABELS
from parsers.exceptions import BinaryInputError, EmptyInputError
from parsers.segment import thai_word_share

logger = logging.getLogger(__name__)

THAI_CODEC = "cp874"  # Python has no "windows-874" name; cp874 is a superset of TIS-620
_SNIFF_BYTES = 4096
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL_CHARSET_RE = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Single-byte Western codecs decode any byte; a page in them that is really Thai is mislabelled.
_LATIN_CODECS = {"latin_1", "iso8859-1", "cp1252", "ascii", "iso8859_1"}
_THAI_CODECS = ("cp874", "tis_620", "iso8859_11")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls other than tab, LF, FF, CR: text never has many of them, binary always does.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_BINARY_CONTROL_RATIO = 0.05
_THAI_RUN_RE = re.compile("[\u0e01-\u0e5b]+")
_MIN_THAI_RUN = 3.0
_MAX_LOST = 0.01  # windows-874 may lose this share of the Thai letters to undefined bytes
_MIN_WORD_SHARE = 0.5  # real Thai: ~0.98 of letters in dictionary words; mojibake: < 0.2
_SAMPLE_CHARS = 1500  # the Thai letters the dictionary test reads
_UTF8_MAX_ERRORS = 0.01  # a UTF-8 page may carry this share of broken sequences
_UTF8_MIN_CHARS = 20


def normalize_charset(label: str | None) -> str | None:
    """Return the Python codec name for a charset label, or None if Python does not know it.

    Every Thai label (tis-620, iso-8859-11, windows-874, x-windows-874...) maps to cp874.
    """
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in THAI_CHARSET_LABELS:
        return THAI_CODEC
    name = resolve_encoding(label)  # as browsers do: gb2312 -> gb18030, shift_jis -> cp932
    if name is None:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            return None
    if name in ("tis-620", "tis_620", "iso8859_11"):
        return THAI_CODEC
    return name


def charset_from_content_type(content_type: str | None) -> str | None:
    """Return the codec named by an HTTP Content-Type header's charset parameter."""
    if not content_type:
        return None
    match = _HEADER_CHARSET_RE.search(content_type)
    return normalize_charset(match.group(1)) if match else None


def charset_from_meta(data: bytes) -> str | None:
    """Return the codec declared by ``<meta charset>``, ``<meta http-equiv>`` or ``<?xml?>``."""
    head = data[:_SNIFF_BYTES]
    match = _META_CHARSET_RE.search(head) or _XML_DECL_CHARSET_RE.search(head)
    if not match:
        return None
    return normalize_charset(match.group(1).decode("ascii", "replace"))


def check_binary(data: bytes) -> None:
    """Raise BinaryInputError for bytes that are an image, archive, PDF or other non-text."""
    head = data[:_SNIFF_BYTES]
    for magic, kind in BINARY_MAGIC:
        if head.startswith(magic):
            raise BinaryInputError(f"input is binary ({kind}), not a page or text")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16 text is full of NULs by design
    controls = sum(head.count(bytes([b])) for b in _CONTROL_BYTES)
    if controls and controls / len(head) > _BINARY_CONTROL_RATIO:
        raise BinaryInputError("input is binary (control bytes), not a page or text")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_thai(text: str) -> bool:
    """True when a cp874 decode reads as Thai: runs of Thai letters that are Thai words.

    Latin-1 accented letters decode to Thai code points one at a time between ASCII letters;
    real Thai comes in runs of several characters, and those runs segment into dictionary
    words, which Chinese or Japanese bytes read as Thai do not.
    """
    runs = _THAI_RUN_RE.findall(text)
    if not runs or sum(map(len, runs)) / len(runs) < _MIN_THAI_RUN:
        return False
    sample = " ".join(runs)[:_SAMPLE_CHARS]
    return thai_word_share(sample) >= _MIN_WORD_SHARE


def _as_thai(data: bytes) -> str | None:
    """Return ``data`` as windows-874 text if it reads as Thai, else None."""
    text = data.decode(THAI_CODEC, errors="replace")
    lost = text.count("\ufffd")
    if lost and lost > sum(map(len, _THAI_RUN_RE.findall(text))) * _MAX_LOST:
        return None
    return text if _looks_thai(text) else None


def _mostly_utf8(data: bytes) -> str | None:
    """Return ``data`` as UTF-8 if it is UTF-8 with a few broken sequences (a cut upload)."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    wide = sum(1 for ch in text if ord(ch) > 0x7F) - broken
    if wide >= _UTF8_MIN_CHARS and broken <= wide * _UTF8_MAX_ERRORS:
        return text
    return None


def _detect(data: bytes) -> tuple[str, str] | None:
    """Return ``(text, codec)`` as charset-normalizer reads undeclared non-Thai bytes.

    It reads only the lines that hold non-ASCII bytes: on a page of scripts and markup with
    a few hundred Chinese characters, its samples would otherwise land on ASCII alone. (No
    legacy East Asian codec uses the newline byte inside a character.)
    """
    from charset_normalizer import from_bytes  # imported lazily: most pages never get here

    sample = b"\n".join(line for line in data.splitlines() if not line.isascii())
    excluded = list(_THAI_CODECS)
    best = from_bytes(sample, cp_exclusion=excluded).best()
    if best is None:  # chaotic text (rare characters, mixed scripts): the least chaotic decode
        best = from_bytes(sample, cp_exclusion=excluded, threshold=1.0).best()
    if best is None:
        return None
    codec = normalize_charset(best.encoding) or best.encoding
    return data.decode(codec, errors="replace"), codec


def decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, codec)`` for page or text-dump bytes; never mojibake valid Thai.

    Raises EmptyInputError for no bytes or only whitespace, BinaryInputError for non-text.
    """
    if not data or not data.strip():
        raise EmptyInputError("input is empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            return text.lstrip("\ufeff"), codec
    check_binary(data)
    declared = charset_from_content_type(content_type) or charset_from_meta(data)
    is_ascii = data.isascii()
    if not is_ascii:
        utf8 = _strict(data, "utf-8") or _mostly_utf8(data)
        if utf8 is not None:
            return utf8, "utf-8"
    if declared and declared not in ("utf-8",):
        declared_text = _strict(data, declared)
        if declared_text is not None and not (declared in _LATIN_CODECS and not is_ascii):
            return declared_text, declared
    if is_ascii:
        return data.decode("ascii"), "ascii"
    thai = _as_thai(data)
    if thai is not None:
        return thai, THAI_CODEC
    if declared and declared in _LATIN_CODECS:
        return data.decode(declared, errors="replace"), declared
    if not declared or declared == "utf-8":
        detected = _detect(data)
        if detected is not None:
            return detected
    # Nothing decodes cleanly: take the codec that loses fewer bytes.
    candidates = [c for c in (declared, "utf-8") if c]
    best = min(candidates, key=lambda c: data.decode(c, errors="replace").count("\ufffd"))
    logger.debug("no codec decodes cleanly; using %s with replacement characters", best)
    return data.decode(best, errors="replace"), best


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Return the text of a page's bytes (see :func:`decode_bytes` for the order of trust)."""
    return decode_bytes(data, content_type)[0]
