"""Property tests: the parsers never raise anything but a ParseError, whatever they are fed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import Article, ParseError, parse_bytes, parse_html, parse_text

THAI_WORDS = [
    "สำนักงาน",
    "ก.พ.ร.",
    "ข่าว",
    "แชร์หน้านี้",
    "ผู้ชม 12 ครั้ง",
    "21 กันยายน 2563",
    "\u200b",
    "\u00a0",
]
TAGS = [
    "p",
    "div",
    "td",
    "table",
    "tr",
    "span",
    "a",
    "br",
    "script",
    "style",
    "article",
    "h1",
    "title",
    "meta",
    "nav",
    "form",
    "li",
    "font",
    "!--",
    "?xml",
]

fragments = st.one_of(
    st.sampled_from(THAI_WORDS),
    st.text(max_size=30),
    st.builds(
        lambda t, a: f"<{t} {a}>",
        st.sampled_from(TAGS),
        st.sampled_from(
            ["", 'class="share"', 'charset="tis-620"', 'style="display:none"', 'href="x"']
        ),
    ),
    st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
)
html_documents = st.lists(fragments, max_size=60).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _never_raises_other(call) -> None:
    try:
        result = call()
    except ParseError:
        return
    assert isinstance(result, Article)
    assert result.text and "\n\n" not in result.text


@SETTINGS
@given(
    st.binary(max_size=2000),
    st.sampled_from([None, "html", "text"]),
    st.sampled_from([None, "text/html; charset=tis-620", "text/plain", "text/html; charset=bogus"]),
)
def test_parse_bytes_on_arbitrary_bytes(
    data: bytes, kind: str | None, content_type: str | None
) -> None:
    _never_raises_other(lambda: parse_bytes(data, kind=kind, content_type=content_type))


@SETTINGS
@given(html_documents)
def test_parse_html_on_arbitrary_markup(html: str) -> None:
    _never_raises_other(lambda: parse_html(html))
    _never_raises_other(lambda: parse_bytes(html.encode("utf-8", "surrogatepass")))
    _never_raises_other(lambda: parse_bytes(html.encode("cp874", "ignore")))


@SETTINGS
@given(st.text(max_size=3000))
def test_parse_text_on_arbitrary_text(text: str) -> None:
    _never_raises_other(lambda: parse_text(text))
    _never_raises_other(lambda: parse_html(text))
