"""A profile's ``ignore`` and ``remove`` rules keep a site's own noise out of the archive.

The page (tests/fixtures/site-rules/) holds a view counter written as a sentence and a
"ข่าวที่น่าสนใจ" box inside the article: the extractor keeps both, so a re-fetch after they moved
on is a new version. With the rules it is not, a real edit still is, and adding or changing
the rules re-baselines the archived article instead of versioning it. Crawled through the
command line (Scrapy, the parser, the archive) from a local server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.exceptions import ProfileError
from crawler.profiles import parse_profile
from parsers import ParseOptions, SiteRuleError, parse_bytes
from tests.cli_helpers import opdcwatch
from tests.page_server import PageSite, fixture_page, write_site_profile

COUNTER = "มีผู้เข้าชมแล้ว"
BOX = "ข่าวที่น่าสนใจ"
RULES = "ignore = ['มีผู้เข้าชมแล้ว [\\d,]+ ครั้ง']\nremove = ['div.highlight-box']\n"
OPTIONS = ParseOptions(ignore=[r"มีผู้เข้าชมแล้ว [\d,]+ ครั้ง"], remove=["div.highlight-box"])


def test_without_rules_the_noise_is_article_text() -> None:
    """The control: the extractor alone keeps both, so the refetch hashes differently."""
    v1, v2 = (parse_bytes(fixture_page(f"article-v{n}.html")) for n in (1, 2))
    assert COUNTER in v1.text and BOX in v1.text
    assert v1.content_hash != v2.content_hash


def test_rules_drop_the_counter_line_and_the_box() -> None:
    v1, v2, v3 = (
        parse_bytes(fixture_page(f"article-v{n}.html"), options=OPTIONS) for n in (1, 2, 3)
    )
    assert COUNTER not in v1.text and BOX not in v1.text
    assert "ห้องประชุมชั้น 5" in v1.text and "ขอขอบคุณที่ติดตาม" not in v1.text
    assert v1.content_hash == v2.content_hash
    assert v3.content_hash != v2.content_hash  # a real edit is still seen


def test_one_rule_alone_is_not_enough() -> None:
    only_ignore = ParseOptions(ignore=OPTIONS.ignore)
    v1, v2 = (parse_bytes(fixture_page(f"article-v{n}.html"), options=only_ignore) for n in (1, 2))
    assert COUNTER not in v1.text and BOX in v1.text
    assert v1.content_hash != v2.content_hash


def test_rules_are_part_of_the_extraction_key() -> None:
    keys = {
        ParseOptions().extraction_key(),
        OPTIONS.extraction_key(),
        ParseOptions(ignore=OPTIONS.ignore).extraction_key(),
        ParseOptions(ignore=OPTIONS.ignore, remove=["div.other"]).extraction_key(),
    }
    assert len(keys) == 4
    assert ParseOptions(remove=()).extraction_key() == ParseOptions().extraction_key()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ignore = ['(ผู้เข้าชม']", "field 'ignore': invalid ignore pattern '(ผู้เข้าชม'"),
        ("remove = ['div[[[']", "field 'remove': invalid remove selector"),
        ("ignore = 'ผู้เข้าชม [0-9'", "field 'ignore': invalid ignore pattern"),
        ("remove = [3]", "field 'remove': must be a list of non-empty strings"),
    ],
)
def test_a_bad_rule_is_caught_when_the_profile_loads(line: str, message: str) -> None:
    text = f'name = "x"\nstart_urls = ["https://example.go.th/"]\n{line}\n'
    with pytest.raises(ProfileError, match=r"bad site profile x\.toml: ") as caught:
        parse_profile(text, "x.toml")
    assert message in str(caught.value)


def test_a_bad_rule_is_one_line_and_exit_2(tmp_path: Path) -> None:
    profile = write_site_profile(tmp_path, "http://127.0.0.1:9/", "remove = ['div > > p']")
    page = tmp_path / "page.html"
    page.write_bytes(fixture_page("article-v1.html"))
    for args in (
        ("parse", str(page), "--site", "agency", "--profile", str(profile)),
        ("crawl", "agency", "--profile", str(profile), "--db", f"sqlite:///{tmp_path}/a.db"),
    ):
        result = opdcwatch(*args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("opdcwatch: error: bad site profile ")
        assert "field 'remove': invalid remove selector" in result.stderr
        assert result.stderr.count("\n") == 1
    with pytest.raises(SiteRuleError):
        ParseOptions(remove=["div > > p"])


def _crawl(tmp_path: Path, profile: Path, db: str) -> str:
    result = opdcwatch("crawl", "agency", "--profile", str(profile), "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def _versions(db: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["export", "--format", "jsonl", "--db", db])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_crawl_with_rules_makes_no_version_for_noise_and_rules_rebaseline(tmp_path: Path) -> None:
    """Crawl v1 with no rules; add the rules as v2 arrives (a re-baseline, no version); the
    real edit of v3 is version 2, and its word diff is the edit alone."""
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with PageSite({101: fixture_page("article-v1.html")}) as site:
        plain = write_site_profile(tmp_path, site.base_url)
        assert "new 1," in _crawl(tmp_path, plain, db)
        ruled = write_site_profile(tmp_path, site.base_url, RULES)
        site.pages[101] = fixture_page("article-v2.html")
        second = _crawl(tmp_path, ruled, db)
        assert "changed 0," in second and "rebaselined 1" in second
        site.pages[101] = fixture_page("article-v3.html")
        assert "changed 1," in _crawl(tmp_path, ruled, db)
    versions = _versions(db)
    assert [v["version"] for v in versions] == [1, 2]
    assert COUNTER in versions[0]["text"]  # stored versions are never rewritten
    assert COUNTER not in versions[1]["text"] and BOX not in versions[1]["text"]
    diff = CliRunner().invoke(cli, ["diff", "1", "--format", "json", "--db", db])
    assert diff.exit_code == 0, diff.output
    changed = [
        (op["old"], op["new"]) for op in json.loads(diff.stdout)["ops"] if op["op"] != "equal"
    ]
    assert ("5", "6") in changed  # the real edit, word by word
    removed = "".join(old for old, _ in changed)  # and what version 1 held under no rules
    assert COUNTER in removed and BOX in removed


def test_parse_and_ingest_read_with_the_profiles_rules(tmp_path: Path) -> None:
    profile = write_site_profile(tmp_path, "http://127.0.0.1:9/", RULES)
    page = tmp_path / "page.html"
    page.write_bytes(fixture_page("article-v1.html"))
    parsed = CliRunner().invoke(
        cli, ["parse", str(page), "--json", "--site", "agency", "--profile", str(profile)]
    )
    assert parsed.exit_code == 0, parsed.output
    article = json.loads(parsed.stdout)
    assert COUNTER not in article["text"] and BOX not in article["text"]
    assert article["content_hash"] == parse_bytes(page.read_bytes(), options=OPTIONS).content_hash
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    for n in (1, 2):
        page.write_bytes(fixture_page(f"article-v{n}.html"))
        ingest = CliRunner().invoke(cli, [
            "ingest", str(page), "--url", "http://127.0.0.1:9/news/101.html",
            "--site", "agency", "--profile", str(profile), "--db", db,
        ])  # fmt: skip
        assert ingest.exit_code == 0, ingest.output
    assert [v["version"] for v in _versions(db)] == [1]


def test_remove_applies_to_pages_libxml2_gives_up_on(fixtures_dir: Path) -> None:
    """A page nested thousands deep is read in one pass (parsers.flat_text); its elements go
    there too, and a rule with a combinator, which needs the tree, is left out there."""
    raw = (fixtures_dir / "parsers" / "deeply_nested.html").read_bytes()
    noisy = raw.replace(
        "นางอารีพันธ์".encode(), '<b class="hits">ผู้เข้าชม 1,234 ครั้ง</b> นางอารีพันธ์'.encode(), 1
    )
    assert "ผู้เข้าชม 1,234 ครั้ง" in parse_bytes(noisy).text
    cleaned = parse_bytes(noisy, options=ParseOptions(remove=["b.hits"]))
    assert cleaned.text == parse_bytes(raw).text
    needs_tree = parse_bytes(noisy, options=ParseOptions(remove=["div > b.hits"]))
    assert "ผู้เข้าชม 1,234 ครั้ง" in needs_tree.text
