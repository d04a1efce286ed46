"""The crawl's fixed statements, compiled once per dialect and run on the DB-API cursor.

Recording a page is about six statements, a re-fetch first asks for its validators, and
``Connection.execute`` spends more time per statement (cache key, execution context, result
set-up) than SQLite spends running it: on the archive benchmark it was a third of the ingest
time. A :class:`Prepared` statement keeps the
Core construct as its definition, so the SQL is SQLAlchemy's own for either backend, and
applies the same bind and result type processing through the types' public processors. It
runs on the connection's DB-API connection inside the caller's transaction, raises
SQLAlchemy's exception classes, and fires ``before_cursor_execute`` so that anything watching
the engine still sees every statement.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Executable, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: Sequence[str] | None  # bind names in order for a positional paramstyle, else None
    binds: Mapping[str, _Processor]
    construct: Callable[..., MutableMapping[str, Any]]  # every bind's value, checked
    make_row: Callable[[Iterable[Any]], tuple[Any, ...]] | None  # of a statement with rows
    results: Sequence[_Processor]


class Result:
    """The rows of one execution, fetched eagerly: the recorder reads at most one."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def first(self) -> Any:
        """Return the first row, or None."""
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        """Return the first column of the first row, or None."""
        return self._rows[0][0] if self._rows else None


class Prepared:
    """A Core statement run with the least overhead; see the module docstring.

    An INSERT is compiled for the columns ``keys``, which every execution must pass; given
    ``returning`` (a column), ``scalar()`` is that column of the new row, such as its id.
    """

    def __init__(
        self,
        statement: Executable,
        *,
        keys: Sequence[str] = (),
        returning: ColumnElement[Any] | None = None,
    ) -> None:
        if returning is not None:
            statement = statement.returning(returning)  # type: ignore[attr-defined]
        self.statement = statement
        self.keys = list(keys)
        self._columns: list[ColumnElement[Any]] = (
            [returning] if returning is not None else _selected(statement)
        )
        self._by_dialect: dict[tuple[Any, ...], _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        clause = cast(ClauseElement, self.statement)  # every statement given here is one
        compiled = clause.compile(dialect=dialect, column_keys=self.keys or None)
        assert isinstance(compiled, SQLCompiler)
        binds: dict[str, _Processor] = {}
        for bind, name in compiled.bind_names.items():  # a name used twice keeps a typed one
            if binds.get(name) is None:
                binds[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
        make_row, results = None, []
        if self._columns:
            names = [str(c.key) for c in self._columns]
            # the names are known only at run time, which mypy's namedtuple cannot follow
            make_row = namedtuple("Row", names, rename=True)._make  # type: ignore[attr-defined]
            results = [
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in self._columns
            ]
        order = list(compiled.positiontup or []) if dialect.positional else None
        construct = compiled.construct_params
        return _Compiled(compiled.string, order, binds, construct, make_row, results)

    def run(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Result:
        """Execute in ``conn``'s current transaction and return the rows it yields."""
        dialect = conn.dialect
        key = (dialect.name, dialect.driver, dialect.paramstyle, dialect.server_version_info)
        compiled = self._by_dialect.get(key)
        if compiled is None:
            compiled = self._by_dialect[key] = self._compile(dialect)
        values = compiled.construct(params or {})
        for name, value in values.items():
            process = compiled.binds.get(name)
            if process is not None:
                values[name] = process(value)
        args: Any = values if compiled.names is None else [values[n] for n in compiled.names]
        driver = conn.connection.driver_connection
        assert driver is not None, "a connection in a transaction has a driver connection"
        cursor = driver.cursor()
        try:
            for listener in conn.dispatch.before_cursor_execute:
                listener(conn, cursor, compiled.sql, args, None, False)
            cursor.execute(compiled.sql, args)
            rows = cursor.fetchall() if compiled.make_row is not None else []
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                compiled.sql, args, exc, dialect.loaded_dbapi.Error, dialect=dialect
            ) from exc
        finally:
            cursor.close()
        if compiled.make_row is None:
            return Result([])
        make, processors = compiled.make_row, compiled.results
        return Result(
            [
                make(p(v) if p is not None else v for p, v in zip(processors, raw, strict=True))
                for raw in rows
            ]
        )


def _selected(statement: Executable) -> list[ColumnElement[Any]]:
    """Return the columns a SELECT selects, in order; none for other statements."""
    return list(statement.selected_columns) if isinstance(statement, Select) else []
