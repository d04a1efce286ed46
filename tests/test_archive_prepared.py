"""Prepared statements: the recorder's fast path stores and reads exactly what SQLAlchemy would."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError, InvalidRequestError

from archive import Archive
from archive.prepared import Prepared
from archive.schema import articles, captures, sites
from tests.archive_helpers import ARTICLE_URL, at, record

_INSERT_SITE = Prepared(sites.insert(), keys=("name",), returning=sites.c.id)


def test_timestamps_and_json_read_back_as_sqlalchemy_writes_them(arch: Archive) -> None:
    record(arch, "opdc_v1.html", 0, headers={"ETag": '"v1"', "X-Thai": "ข่าว"})
    record(arch, "opdc_404.html", 2, status=404)
    with arch.reading() as conn:
        row = conn.execute(select(articles)).one()
        headers = conn.execute(select(captures.c.headers).order_by(captures.c.id)).scalars().all()
        # the same instant in the same text form, whichever statement wrote it
        same = conn.execute(text("SELECT gone_at = last_checked FROM articles")).scalar_one()
    assert (row.first_seen, row.last_checked, row.gone_at) == (at(0), at(2), at(2))
    assert headers[0] == [["ETag", '"v1"'], ["X-Thai", "ข่าว"]]
    assert same in (1, True)


def test_a_broken_constraint_raises_sqlalchemys_error(arch: Archive) -> None:
    with arch.writing() as conn:
        first = _INSERT_SITE.run(conn, {"name": "opdc"}).scalar()
    assert isinstance(first, int)
    with pytest.raises(IntegrityError), arch.writing() as conn:
        _INSERT_SITE.run(conn, {"name": "opdc"})
    with arch.reading() as conn:  # the failed transaction left nothing behind
        assert conn.execute(select(sites.c.id)).scalars().all() == [first]


def test_a_missing_value_is_refused_before_anything_runs(arch: Archive) -> None:
    with pytest.raises(InvalidRequestError, match="name"), arch.writing() as conn:
        _INSERT_SITE.run(conn, {})


def test_listeners_on_the_engine_see_prepared_statements(arch: Archive) -> None:
    seen: list[str] = []
    event.listen(arch.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    record(arch, "opdc_v1.html", 0)
    assert any(s.startswith("INSERT INTO versions") for s in seen), seen
    assert ARTICLE_URL not in " ".join(seen)  # values travel as parameters, never in the SQL
