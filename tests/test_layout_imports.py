"""The layout's import rules, checked on the source: what a reviewer would otherwise police."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "archive", "parsers", "bench")
# the monitor reads the archive through archive.queries, never its tables
READS_THROUGH_QUERIES = (
    "crawler/monitor/health.py",
    "crawler/monitor/notify.py",
    "crawler/cli/monitor_cmds.py",
)


def _imports(path: Path) -> list[tuple[int, str, str]]:
    """Return (line, module, name) of every ``from module import name`` in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.lineno, node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, "") for alias in node.names]
    return found


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _is_private(module: str, name: str) -> bool:
    """True for a name (or module) of ours whose leading underscore says "not for others"."""
    parts = module.split(".")
    return parts[0] in PACKAGES and any(p.startswith("_") for p in [*parts, name] if p)


def test_no_module_imports_another_modules_private_names() -> None:
    private = [
        f"{path.relative_to(ROOT)}:{line}: {module} {name}"
        for path in _sources()
        for line, module, name in _imports(path)
        if _is_private(module, name)
    ]
    assert private == []


@pytest.mark.parametrize("relative", READS_THROUGH_QUERIES)
def test_the_monitor_reads_the_archive_through_queries(relative: str) -> None:
    direct = [
        f"{line}: {module} {name}"
        for line, module, name in _imports(ROOT / relative)
        if module == "archive.schema" or (module.startswith("sqlalchemy") and name != "Connection")
    ]
    assert direct == []
