"""The ``opdcwatch`` command line.

Each command lives in a module of its own and is imported only when it runs, so that
``opdcwatch parse`` does not pay for importing Scrapy. Errors opdcwatch expects
(:class:`~parsers.exceptions.OpdcwatchError`) become one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys

import click

from parsers.exceptions import OpdcwatchError

# command name -> "module:attribute"; a command is listed only once its module exists
COMMANDS: dict[str, str] = {
    "parse": "crawler.cli.parse_cmd:parse",
    "ingest": "crawler.cli.archive_cmds:ingest",
    "import-warc": "crawler.cli.archive_cmds:import_warc",
    "articles": "crawler.cli.archive_cmds:articles",
    "show": "crawler.cli.archive_cmds:show",
    "diff": "crawler.cli.archive_cmds:diff",
    "export": "crawler.cli.archive_cmds:export",
    "crawl": "crawler.cli.crawl_cmds:crawl",
    "probe": "crawler.cli.probe_cmd:probe",
    "sites": "crawler.cli.crawl_cmds:sites",
    "demo": "crawler.cli.demo_cmd:demo",
    "serve": "crawler.cli.serve_cmd:serve",
    "search": "crawler.cli.search_cmd:search",
    "schedule": "crawler.cli.schedule_cmds:schedule",
    "worker": "crawler.cli.worker_cmd:worker",
    "runs": "crawler.cli.monitor_cmds:runs",
    "health": "crawler.cli.monitor_cmds:health",
    "feed": "crawler.cli.monitor_cmds:feed",
}


class UserError(click.ClickException):
    """A one-line error for the user; exit code 2 like a usage error."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"opdcwatch: error: {self.format_message()}", err=True, file=file)


def _module_exists(target: str) -> bool:
    module = target.partition(":")[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class LazyGroup(click.Group):
    """A group that imports each command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, target in COMMANDS.items() if _module_exists(target))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None or not _module_exists(target):
            return None
        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OpdcwatchError as exc:
            raise UserError(str(exc)) from exc


@click.group(cls=LazyGroup)
@click.version_option(package_name="opdcwatch")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """opdcwatch: crawl Thai public-sector news, archive every version, show what changed."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _show_progress("archive.reindex")


class _ProgressHandler(logging.Handler):
    """Prints a record as ``opdcwatch: message`` on the stderr of the moment."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"opdcwatch: {record.getMessage()}", err=True)


def _show_progress(name: str) -> None:
    """Print a long task's progress (a search index rebuild) on stderr whatever -v says."""
    progress = logging.getLogger(name)
    if not any(isinstance(h, _ProgressHandler) for h in progress.handlers):
        progress.addHandler(_ProgressHandler())
    progress.setLevel(logging.INFO)
    progress.propagate = False


def main() -> None:
    """Console-script entry point: never lets a traceback reach the user."""
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    try:
        cli.main(prog_name="opdcwatch", standalone_mode=True)
    except Exception as exc:  # a bug, not bad input: say so in one line
        if os.environ.get("OPDCWATCH_DEBUG"):
            raise
        click.echo(
            f"opdcwatch: internal error: {type(exc).__name__}: {exc} "
            "(set OPDCWATCH_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(1)
