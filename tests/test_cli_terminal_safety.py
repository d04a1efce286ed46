"""Scraped text never drives the terminal: no escapes, C1 controls or bidi overrides in output."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import cli
from crawler.cli.common import safe_text
from parsers.constants import TERMINAL_UNSAFE_RE

PAGE = Path(__file__).resolve().parent / "fixtures" / "terminal" / "bidi_overrides.html"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _unsafe(text: str) -> list[str]:
    return [f"U+{ord(char):04X}" for char in text if char in BIDI or 0x7F <= ord(char) <= 0x9F]


def test_the_fixture_really_holds_every_bidi_control() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert set(BIDI) <= set(text)


def test_parse_prints_no_bidi_override_and_keeps_the_words() -> None:
    result = CliRunner().invoke(cli, ["parse", str(PAGE)])
    assert result.exit_code == 0, result.output
    assert _unsafe(result.stdout) == []
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "สำนักงาน ก.พ.ร. เปิดรับฟังความคิดเห็น ต่อร่างหลักเกณฑ์การประเมินส่วนราชการ"
    )
    assert "fdp.exe" in result.stdout


def test_parse_json_escapes_bidi_overrides_without_losing_them() -> None:
    result = CliRunner().invoke(cli, ["parse", "--json", str(PAGE)])
    assert result.exit_code == 0, result.output
    assert _unsafe(result.stdout) == []
    assert "\\u202e" in result.stdout
    record = json.loads(result.stdout)
    assert "\u202eเปิดรับฟังความคิดเห็น\u202c" in record["title"]


def test_one_pattern_for_every_command() -> None:
    assert safe_text("a\u202eb\x1b[2Jc\u2066d") == "a\ufffdb\ufffd[2Jc\ufffdd"
    assert TERMINAL_UNSAFE_RE.sub("", "\tแท็บ\nบรรทัด\x85\x9b") == "\tแท็บ\nบรรทัด"
