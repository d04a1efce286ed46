"""Named constants of URL canonicalisation (``parsers.urls``): what is noise in a URL."""

from __future__ import annotations

import string

# Query parameters that only identify a campaign or a click; dropped from every URL.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "ref_src",
    }
)
# any parameter whose name starts with one of these is tracking too (utm_source, utm_medium, ...)
TRACKING_PARAM_PREFIXES = ("utm_",)

# ports left out of a canonical URL because they are the scheme's own
DEFAULT_PORTS = {"http": 80, "https": 443}

# RFC 3986 unreserved characters: a percent-escape of one of these is decoded
UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
# characters kept as they are in a path (everything else, Thai included, is percent-encoded)
PATH_SAFE = "/:@!$&'()*+,;="
# characters kept as they are in a query parameter's name or value ('&', '=' and '#' are not)
QUERY_SAFE = "/:@!$'()*+,;?"
