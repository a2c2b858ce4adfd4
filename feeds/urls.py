"""Canonical URLs: the identity of an article that has one."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only say how a reader arrived (campaign tracking, click ids,
# share widgets); two links that differ only in these point at the same article.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "oly_")
_TRACKING_NAMES = {
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mkt_tok", "_hsenc", "_hsmi",
    "cmpid", "cmp", "ocid", "ito", "smid", "smtyp", "ref", "ref_src", "referrer", "source",
    "share", "s_cid", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
    "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
    "spm", "xtor", "guccounter", "guce_referrer", "guce_referrer_sig", "_ga", "rss",
    "wt.mc_id", "wt.nav", "action", "pgtype", "clicksource", "module", "region",
}


def canonical_url(url: str) -> str:
    """Return ``url`` with tracking parameters, fragments and default ports removed.

    The scheme and host are lower-cased, a trailing ``/`` on a non-root path is kept
    (sites differ on whether it matters), and the remaining query parameters are
    sorted so that their order does not make two links differ.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        # A malformed address ("http://[::1", a port above 65535) from a feed or a page's
        # metadata: it is its own identity, as written, rather than a crash of the import.
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_NAMES
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def web_url(value: object) -> str | None:
    """``value`` when it is a well-formed http(s) address with a host, else None.

    Page metadata and records carry odd values (``http://[::1``, a port of 99999, a
    ``javascript:`` link); such a value is no web address, and must not stop an import.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in url):
        return None
    return url
