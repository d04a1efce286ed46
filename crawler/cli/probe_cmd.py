"""``opdcwatch probe URL``: look at a site politely and write a profile to crawl it with."""

from __future__ import annotations

from pathlib import Path

import click

from crawler.cli.common import print_json, safe_text


def _check_free(path: Path) -> None:
    from crawler.exceptions import ProbeError

    if path.exists():
        raise ProbeError(f"{path} exists: not overwritten (choose another --out)")


@click.command()
@click.argument("url")
@click.option(
    "--name", default=None, metavar="NAME", help="The profile's name (default: the host)."
)
@click.option(
    "--out",
    "out",
    default=None,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Where to write the profile (default: NAME.toml here); an existing file is kept.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was found as JSON.")
@click.option(
    "--delay",
    type=click.FloatRange(min=0, max=60),
    default=0.3,
    show_default=True,
    metavar="SECONDS",
    help="Pause between two requests.",
)
def probe(url: str, name: str | None, out: str | None, as_json: bool, delay: float) -> None:
    """Probe the site at URL and write a commented profile for it.

    Reads the home page, its feeds and sitemaps and a sample of each kind of link (robots.txt
    honoured, at most 50 requests, about half a minute), and prints the sample articles it
    parsed (title, date, body length) so you see the profile works before you schedule it.

    Example: opdcwatch probe https://www.opdc.go.th/ --name opdc --out opdc.toml
    """
    from crawler.exceptions import ProbeError
    from crawler.probe.site import probe_site
    from crawler.probe.toml_out import profile_toml
    from crawler.profiles import NAME_RE, parse_profile

    if name is not None and not NAME_RE.match(name):
        raise ProbeError(f"--name {name!r}: lower-case letters, digits, '.', '_' or '-'")
    if out is not None:
        _check_free(Path(out))  # before the probe's half minute, not after
    result = probe_site(url, name=name, delay=delay)
    path = Path(out or f"{result.name}.toml")
    _check_free(path)
    text = profile_toml(result)
    if result.articles:
        parse_profile(text, str(path))  # what is written loads
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ProbeError(f"cannot write {path}: {exc.strerror or exc}") from None
    if as_json:
        print_json({**result.to_dict(), "profile": str(path)})
        return
    click.echo(f"{result.url}: {result.requests} requests in {result.seconds:g} s")
    for label, values in (
        ("start pages", result.start_urls),
        ("feeds", result.feeds),
        ("sitemaps", result.sitemaps),
        ("listings", result.follow),
        ("articles", result.articles),
    ):
        click.echo(f"{label}: " + (safe_text(", ".join(values)) if values else "none"))
    if not result.articles:
        click.echo("no article pages recognised: the profile needs 'articles' patterns by hand")
    for sample in result.samples:
        title = safe_text(sample.title or "(no title)", one_line=True)
        click.echo(f"  {sample.published or 'no date':<10}  {sample.body_chars:>6} chars  {title}")
    click.echo(
        f"profile written to {path}; crawl it: opdcwatch crawl --profile {path} {result.name}"
    )
