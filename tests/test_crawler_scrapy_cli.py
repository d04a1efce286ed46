"""``scrapy crawl site -a profile=…`` inside the project archives like ``opdcwatch crawl``."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

from archive import Archive
from archive.queries import list_articles, list_runs
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.profile import write_replica_profile
from tests.cli_helpers import child_env

ROOT = Path(__file__).resolve().parent.parent
SCRAPY = Path(sys.executable).with_name("scrapy")


def test_scrapy_crawl_site_archives_like_opdcwatch_crawl(tmp_path, fixtures_dir):
    db = tmp_path / "scrapy.db"
    with ReplicaServer(ReplicaSite(10)) as server:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        args = ["-a", f"profile={profile}", "-a", "max_pages=6", "-s", f"OPDCWATCH_DB={db}"]
        done = subprocess.run(
            [str(SCRAPY), "crawl", "site", *args, "-s", "LOG_LEVEL=INFO"],
            cwd=ROOT,  # scrapy.cfg: inside the project
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Spider closed (finished)" in done.stderr
    with Archive.open(f"sqlite:///{db}", create=False) as archive:
        runs = list_runs(archive)
        found = list_articles(archive)
    assert [(r["site"], r["outcome"]) for r in runs] == [("replica", "ok")]
    assert runs[0]["pages"] <= 6 and runs[0]["new"] == len(found) > 0
    assert all(a["site"] == "replica" and a["title"] for a in found)


def test_scrapy_cfg_has_no_deploy_section():
    config = configparser.ConfigParser()
    config.read(ROOT / "scrapy.cfg")
    assert config.sections() == ["settings"]
