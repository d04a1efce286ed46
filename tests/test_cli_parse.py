"""``opdcwatch parse``: JSON contract, JSON Lines for many paths, stdin, one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from tests.cli_helpers import opdcwatch

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
CONTRACT_FIELDS = {"title", "published", "modified", "text", "url", "content_hash"}


def _expected(name: str) -> dict:
    return json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return opdcwatch(*args, stdin=stdin, text=False)


def test_subprocess_json_on_a_seed_dump(shared_dir: Path, fixtures_dir: Path) -> None:
    seed = shared_dir / "seeds" / "000_ead1ab253e5448c1.txt"
    expected = json.loads(
        (fixtures_dir / "seeds" / "000_ead1ab253e5448c1.expected.json").read_text(encoding="utf-8")
    )
    result = _run("parse", "--json", "--url", "https://www.okmassnews.com/content/5612", str(seed))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record.keys() >= CONTRACT_FIELDS
    assert record["title"] == expected["title"]
    assert record["published"] == "2020-09-21"
    assert record["modified"] is None
    assert record["text"].split("\n") == expected["paragraphs"]
    assert record["url"] == "https://www.okmassnews.com/content/5612"
    assert len(record["content_hash"]) == 64


def test_subprocess_json_lines_for_many_paths_in_order() -> None:
    names = ["thaipr_release_utf8", "opdc_old_tis620_meta", "shopup_news_utf8"]
    result = _run("parse", "--json", *(str(PAGES / f"{n}.html") for n in names))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["title"] for r in records] == [_expected(n)["title"] for n in names]
    assert [Path(r["path"]).stem for r in records] == names


def test_subprocess_stdin_is_sniffed_as_html() -> None:
    raw = (PAGES / "opdc_old_tis620_undeclared.html").read_bytes()
    result = _run("parse", "--json", "-", stdin=raw)
    assert result.returncode == 0, result.stderr
    assert (
        json.loads(result.stdout)["text"].split("\n")
        == _expected("opdc_old_tis620_undeclared")["paragraphs"]
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda tmp: tmp / "missing.html", "no such file"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: _write(tmp / "empty.txt", b"  \n"), "empty"),
        (lambda tmp: _write(tmp / "photo.html", b"\x89PNG\r\n\x1a\n" + bytes(200)), "binary"),
        (
            lambda tmp: _write(tmp / "menu.html", b"<html><body><a href='/'>x</a></body></html>"),
            "no article",
        ),
    ],
    ids=["missing", "directory", "empty", "binary", "not-a-page"],
)
def test_subprocess_bad_input_is_one_line_exit_2(tmp_path: Path, setup, message: str) -> None:
    result = _run("parse", str(setup(tmp_path)))
    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert stderr.count("\n") == 1 and stderr.startswith("opdcwatch: error:")
    assert message in stderr and "Traceback" not in stderr
    assert result.stdout == b""


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_batch_goes_on_after_a_bad_path_and_exits_2(tmp_path: Path) -> None:
    good = PAGES / "shopup_news_utf8.html"
    result = CliRunner().invoke(cli, ["parse", "--json", str(tmp_path / "gone.html"), str(good)])
    assert result.exit_code == 2
    lines = result.stdout.strip().splitlines()
    assert (
        len(lines) == 1 and json.loads(lines[0])["title"] == _expected("shopup_news_utf8")["title"]
    )
    assert "gone.html: no such file" in result.stderr


def test_readable_output_has_title_dates_and_paragraphs() -> None:
    result = CliRunner().invoke(cli, ["parse", str(PAGES / "opdc_new_utf8.html")])
    assert result.exit_code == 0, result.output
    expected = _expected("opdc_new_utf8")
    lines = result.stdout.splitlines()
    assert lines[0] == expected["title"]
    assert "published: 2016-12-08T10:30:00+07:00" in lines
    assert "\n\n".join(expected["paragraphs"]) in result.stdout


def test_readable_output_strips_terminal_escapes(tmp_path: Path) -> None:
    page = tmp_path / "evil.txt"
    page.write_text(
        "หัวข้อข่าว\x1b]0;pwned\x07\n\nเนื้อหาข่าว\x1b[2J ที่ยาวพอสำหรับการทดสอบ\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["parse", str(page)])
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_txt_suffix_forces_the_text_cleaner(tmp_path: Path) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text("<p>หัวข้อ</p>\n\nย่อหน้าแรกของข่าวที่มีเนื้อหา\n\nแชร์หน้านี้\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["parse", "--json", str(dump)])
    record = json.loads(result.stdout)
    assert record["title"] == "<p>หัวข้อ</p>"
    assert record["text"] == "ย่อหน้าแรกของข่าวที่มีเนื้อหา"


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["parse", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "--json" in result.output


def test_windows_874_text_dump_reads_like_the_utf8_one(tmp_path: Path, shared_dir: Path) -> None:
    seed = shared_dir / "seeds" / "004_ce04e013cb150043.txt"
    legacy = tmp_path / "004-windows-874.txt"
    legacy.write_bytes(seed.read_text(encoding="utf-8").encode("cp874"))
    result = CliRunner().invoke(cli, ["parse", "--json", str(seed), str(legacy)])
    assert result.exit_code == 0, result.output
    utf8, cp874 = (json.loads(line) for line in result.stdout.splitlines())
    assert cp874["content_hash"] == utf8["content_hash"]
    assert cp874["published"] == utf8["published"] == "2009-09-03T14:56:24+07:00"


def test_parse_with_a_site_profile_uses_its_selectors(tmp_path: Path) -> None:
    profile = tmp_path / "prachatai.toml"
    profile.write_text(
        'name = "prachatai"\nstart_urls = ["https://prachatai.com/"]\n'
        'allowed_domains = ["prachatai.com"]\n[selectors]\ntitle = "head > title"\n',
        encoding="utf-8",
    )
    page = str(
        ROOT / "tests" / "fixtures" / "thai-html" / "newspaper4k" / "prachatai_thai_article.html"
    )
    runner = CliRunner()
    plain = json.loads(runner.invoke(cli, ["parse", "--json", page]).stdout)
    by_site = runner.invoke(
        cli, ["parse", "--json", "--site", "prachatai", "--profile", str(profile), page]
    )
    by_url = runner.invoke(
        cli,
        ["parse", "--json", "--url", "https://prachatai.com/x", "--profile", str(profile), page],
    )
    assert json.loads(by_site.stdout)["title"].endswith("| ประชาไท Prachatai.com")
    assert json.loads(by_url.stdout)["title"] == json.loads(by_site.stdout)["title"]
    assert plain["title"] == "ผล DNA ยืนยัน ศพลอยแม่น้ำโขงเป็นคนสนิท อ.สุรชัย"
    unknown = runner.invoke(cli, ["parse", "--site", "nope", page])
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("opdcwatch: error: no such site 'nope'")
