"""A site profile pointing at a running replica: the demo's, the benchmark's, or a test's."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from string import Template

DEFAULT_TEMPLATE = "demo-profile.toml"


def write_replica_profile(
    folder: Path, base_url: str, template: Path | None = None, name: str = "replica.toml"
) -> Path:
    """Write ``folder/name`` from a TOML template whose ``${base}`` is the replica's URL.

    The default template is the bundled one the demo uses; tests and the benchmark pass
    their own.
    """
    if template is None:
        text = (
            resources.files("crawler.demo")
            .joinpath("data", DEFAULT_TEMPLATE)
            .read_text(encoding="utf-8")
        )
    else:
        text = Path(template).read_text(encoding="utf-8")
    path = Path(folder) / name
    path.write_text(Template(text).safe_substitute(base=base_url), encoding="utf-8")
    return path
