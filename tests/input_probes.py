"""Bad values for every parameter of the web page and the command line, and good ones.

One table per surface, shared by the SQLite and PostgreSQL runs. A bad value must be refused
at the edge with one clear line (400 on the web, exit 2 on the command line), never a 500, an
"internal error" or a 503 "archive unavailable".
"""

from __future__ import annotations

INT64_PAST = "9223372036854775808"  # past SQLite's INTEGER: OverflowError in sqlite3
INT4_PAST = str(2**31)  # past PostgreSQL's INTEGER: "integer out of range"
YEAR_ZERO = "0001-01-01T00:00:00+01:00"  # in year 0 once converted to UTC
LONG_QUERY = "ประชาชน " * 812  # 6,495 characters stripped, as pasted in the probe run
NINE_WORDS = " ".join(f"คำ{n}" for n in range(9))
NUL = "\x00"

# (path with {id} for an article of three versions, expected fragment of the message)
WEB_BAD = [
    (f"/articles/{INT64_PAST}", "article id must be at most 2147483647"),
    (f"/articles/{INT4_PAST}", "article id must be at most 2147483647"),
    (f"/articles/{{id}}/versions/{INT64_PAST}", "version must be at most"),
    (f"/articles/{{id}}/versions/{INT4_PAST}/raw", "version must be at most"),
    (f"/articles/{{id}}/diff?from={INT4_PAST}", "from must be at most"),
    (f"/articles/{{id}}/diff?to={INT64_PAST}", "to must be at most"),
    ("/articles/{id}/diff?view=" + "z" * 500, "view: too long, 500 characters"),
    (f"/articles?page={INT64_PAST}", "page must be at most"),
    (f"/articles?after=0.1.{INT4_PAST}", "after: no such position"),
    ("/articles?q=a%00b", "must not contain control characters"),
    ("/articles?site=opdc%00", "site must not contain control characters"),
    (f"/articles?since={YEAR_ZERO.replace('+', '%2B')}", "out of range"),
    ("/articles?q=" + LONG_QUERY.replace(" ", "%20"), "the query: too long, 6,495 characters"),
    ("/articles?q=" + NINE_WORDS.replace(" ", "%20"), "at most 8 at once"),
    (f"/api/articles/{INT4_PAST}", "article id must be at most"),
    (f"/api/articles/{{id}}?version={INT64_PAST}", "version must be at most"),
    (f"/api/articles/{{id}}?version={INT4_PAST}", "version must be at most"),
    (f"/api/articles/{{id}}/diff?from={INT64_PAST}", "from must be at most"),
    (f"/api/articles?offset={INT64_PAST}", "offset must be at most"),
    (f"/api/articles?limit={INT64_PAST}", "limit must be at most"),
    ("/api/articles?limit=-1", "limit must be at least 1"),
    ("/api/articles?limit=๑", "limit must be a whole number"),
    ("/api/articles?q=x&site=opdc%00", "site must not contain control characters"),
    (f"/api/articles?changed_since={YEAR_ZERO.replace('+', '%2B')}", "out of range"),
]

WEB_GOOD = [
    "/articles/{id}",
    "/articles/{id}/versions/1",
    "/articles/{id}/versions/1/raw",
    "/articles/{id}/diff?from=1&to=3&view=inline",
    "/articles?page=1&site=opdc",
    "/articles?since=0001-01-01",  # year 1 in UTC is still a time
    "/articles?q=ประชาชน&site=opdc&since=2567-11-01",  # a Buddhist-era year
    "/api/articles?limit=1000000",  # more than API_MAX_LIMIT is cut to it, as documented
    "/api/articles/{id}?version=2",
    "/api/articles/{id}/diff?from=1&to=2",
]

# (arguments with {id}, expected fragment of the one-line error)
CLI_BAD = [
    (["show", INT64_PAST], "article id must be at most 2147483647"),
    (["show", INT4_PAST], "article id must be at most 2147483647"),
    (["show", "0"], "article id must be at least 1"),
    (["show", "{id}", "--version", INT64_PAST], "'--version': must be at most"),
    (["show", "{id}", "--version", INT4_PAST], "'--version': must be at most"),
    (["diff", "{id}", "--from", INT4_PAST], "'--from': must be at most"),
    (["diff", "{id}", "--to", "three"], "'--to': must be a whole number"),
    (
        ["articles", "--changed-since", YEAR_ZERO],
        "'--changed-since': '0001-01-01T00:00:00+01:00' is",
    ),
    (["articles", "--limit", INT64_PAST], "'--limit': must be at most"),
    (["articles", "--site", "opdc\x01"], "'--site': must not contain control characters"),
    (["search", "ประชาชน", "--limit", INT64_PAST], "'--limit': must be at most"),
    (["search", "ประชาชน", "--since", YEAR_ZERO], "out of range"),
    (["search", "ประชาชน\x1b[2J"], "the query must not contain control characters"),
    (["search", LONG_QUERY], "the query: too long"),
    (["search", NINE_WORDS], "at most 8 at once"),
    (["runs", "--limit", INT64_PAST], "'--limit': must be at most"),
    (["runs", "--site", "x" * 300], "'--site': too long, 300 characters"),
    (["feed", "--limit", INT4_PAST], "'--limit': must be at most"),
    (["crawl", "--max-pages", INT64_PAST], "'--max-pages': must be at most"),
    (["schedule", "pause", "opdc\x1b"], "'NAME': must not contain control characters"),
]

CLI_GOOD = [
    ["show", "{id}", "--version", "1"],
    ["show", "https://www.opdc.go.th/content/Nzk4Mw"],
    ["diff", "{id}", "--from", "1", "--to", "3"],
    ["articles", "--changed-since", "0001-01-01", "--limit", "2147483647"],
    ["articles", "--changed-since", "2567-11-01", "--site", "opdc"],
    ["search", "ประชาชน", "--site", "opdc", "--limit", "1"],
    ["runs", "--limit", "2147483647"],
]
