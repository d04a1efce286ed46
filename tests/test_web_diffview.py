"""Laying out the archive's word-diff ops for the page: inline and side by side."""

from __future__ import annotations

from archive.diff import word_diff
from archive.web.diffview import inline_pieces, side_by_side_rows


def _ops(old: str, new: str) -> list[dict[str, str]]:
    return [op.to_dict() for op in word_diff(old, new)]


def test_inline_pieces_rebuild_both_texts():
    old = "สำนักงาน ก.พ.ร. มุ่งพัฒนาระบบราชการ\nวันที่ 10-11 กันยายน 2563"
    new = "สำนักงาน ก.พ.ร. เร่งพัฒนาระบบราชการ\nวันที่ 10-12 กันยายน 2563\nย่อหน้าใหม่"
    pieces = inline_pieces(_ops(old, new))
    assert "".join(t for k, t in pieces if k != "insert") == old
    assert "".join(t for k, t in pieces if k != "delete") == new
    assert ("delete", "มุ่ง") in pieces and ("insert", "เร่ง") in pieces


def test_side_by_side_rows_align_on_shared_paragraph_breaks():
    old = "ย่อหน้าหนึ่ง ไม่เปลี่ยน\nมุ่งพัฒนาระบบราชการ\nย่อหน้าสุดท้าย"
    new = "ย่อหน้าหนึ่ง ไม่เปลี่ยน\nเร่งพัฒนาระบบราชการ\nย่อหน้าสุดท้าย"
    rows = side_by_side_rows(_ops(old, new))
    assert len(rows) == 3
    assert [r.changed for r in rows] == [False, True, False]
    assert ("delete", "มุ่ง") in rows[1].old and ("insert", "เร่ง") in rows[1].new
    assert all(k != "insert" for k, _ in rows[1].old)
    assert all(k != "delete" for k, _ in rows[1].new)
    for row in rows:  # each side of each row is one paragraph of its version
        assert "\n" not in "".join(t for _, t in row.old)


def test_added_paragraph_sits_on_the_new_side_only():
    rows = side_by_side_rows(_ops("หนึ่ง\nสอง", "หนึ่ง\nสอง\nสาม เพิ่มใหม่"))
    joined_new = "".join(t for r in rows for _, t in r.new)
    joined_old = "".join(t for r in rows for _, t in r.old)
    assert "สาม เพิ่มใหม่" in joined_new and "สาม" not in joined_old
