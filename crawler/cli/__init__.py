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
from typing import Any

import click

from crawler.cli.common import PENDING_NOTES
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
    "backup": "crawler.cli.archive_cmds:backup",
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


EXIT_ERROR = 2  # every error: bad input, a usage error, a missing archive, a bug
EXIT_INTERRUPTED = 130  # the shell's convention for "stopped by a signal" (Ctrl-C)


class UserError(click.ClickException):
    """A one-line error for the user; exit code 2 like a usage error."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"opdcwatch: error: {self.format_message()}", err=True, file=file)


class Interrupted(click.ClickException):
    """Ctrl-C: one line, exit 130, whichever command was running."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted")

    def show(self, file=None) -> None:
        # on a terminal the line after the echoed ^C, not beside it
        fresh = "\n" if sys.stderr.isatty() else ""
        click.echo(f"{fresh}opdcwatch: interrupted", err=True, file=file)


def one_line(exc: click.ClickException) -> str:
    """Return ``opdcwatch: error: …`` for any click error, usage errors naming their --help."""
    message = " ".join(exc.format_message().split())
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        message = f"{message.rstrip('.')} (see '{exc.ctx.command_path} --help')"
    return f"opdcwatch: error: {message}"


def report(exc: click.ClickException) -> int:
    """Print ``exc`` as one line on stderr and return the exit code: 130 or 2, or 0 for a
    group called without a command (its help is printed, as ``--help`` would)."""
    ctx: click.Context | None = getattr(exc, "ctx", None)  # a usage error's
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:  # click >= 8.2
        click.echo(ctx.get_help())
        return 0
    if isinstance(exc, UserError | Interrupted):
        exc.show()
    else:
        click.echo(one_line(exc), err=True)
    return EXIT_INTERRUPTED if exc.exit_code == EXIT_INTERRUPTED else EXIT_ERROR


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
        except KeyboardInterrupt as exc:
            raise Interrupted() from exc

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the command line; every error is one ``opdcwatch: error: …`` line, exit 2.

        Click's own report (``Usage: …`` and ``Try … for help.`` around an ``Error:`` line,
        or ``Aborted!`` with exit 1 on Ctrl-C) is replaced: usage errors too are one line,
        naming the ``--help`` to read, and Ctrl-C is ``opdcwatch: interrupted``, exit 130.
        """
        PENDING_NOTES.clear()
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.ClickException as exc:
            sys.exit(report(exc))
        except (click.Abort, KeyboardInterrupt, EOFError):
            sys.exit(report(Interrupted()))
        code = code if isinstance(code, int) else 0
        for note in PENDING_NOTES if code == 0 else ():
            click.echo(note, err=True)
        sys.exit(code)


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
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        click.echo(
            f"opdcwatch: error: internal error (a bug): {detail} "
            "(set OPDCWATCH_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(EXIT_ERROR)
