"""What may be fetched, and what may be said about it.

Only http and https, and (unless a feed opts in with ``allow_private``) no loopback,
private, link-local or otherwise non-public address: checked after DNS resolution, on
every redirect hop and for every linked article page, with the connection pinned to the
address that was checked. Secrets in feed URLs (passwords, token parameters) are masked
in every message and log line.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from core.errors import FeedError

class BlockedAddressError(FeedError):
    """A URL points (directly, through DNS or through a redirect) at an address we refuse to fetch."""


def is_public_address(address: str) -> bool:
    """True for an address on the public internet; False for loopback, private, link-local,
    shared (CGNAT), multicast, reserved and unspecified addresses (IPv4-mapped IPv6 included)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified
                                 or ip.is_loopback or ip.is_link_local or ip.is_private)


async def resolve_host(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (an IP literal resolves to itself)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that resolves each request's host itself, refuses non-public
    addresses (unless ``allow_private``) and connects to the very address it checked.

    Connecting to the checked address ("pinning") closes the DNS-rebinding gap: a name
    that resolves to a public address for the check and to 127.0.0.1 a moment later for
    the connection. The Host header and the TLS server name stay the original host name,
    so virtual hosts and certificate checks work as before. httpx calls the transport
    once per hop, so every redirect target is checked the same way.
    """

    def __init__(self, make_inner: Callable[[], httpx.AsyncBaseTransport], allow_private: bool = False) -> None:
        # One inner transport (connection pool) per host name: the pool keys connections by
        # the address we connect to, and a TLS connection made for one name (its SNI and
        # certificate) must not be reused for another name served from the same address.
        self.make_inner = make_inner
        self.inner: dict[str, httpx.AsyncBaseTransport] = {}
        self.allow_private = allow_private

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Check the request's destination, then send it to the checked address."""
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"refused scheme {url.scheme!r}", request=request)
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = await resolve_host(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpx.ConnectError(f"cannot resolve {host} ({exc})", request=request) from exc
        if not addresses:
            raise httpx.ConnectError(f"cannot resolve {host}", request=request)
        if not self.allow_private:
            refused = [a for a in addresses if not is_public_address(a)]
            if refused:
                raise BlockedAddressError(
                    f"{redact_url(str(url))}: refused, {host} is a private, loopback or link-local address "
                    f"({refused[0]}); set allow_private = true on the feed if it is an intranet feed")
        address = addresses[0]
        pinned = httpx.Request(request.method, url.copy_with(host=address), headers=request.headers,
                               stream=request.stream,
                               extensions={**request.extensions, "sni_hostname": host})
        inner = self.inner.get(host)
        if inner is None:
            inner = self.inner[host] = self.make_inner()
        return await inner.handle_async_request(pinned)

    async def aclose(self) -> None:
        """Close the wrapped transports."""
        for inner in self.inner.values():
            await inner.aclose()


# ---------------------------------------------------------------- secrets out of messages

_SECRET_PARAMS = re.compile(r"(?:^|_|-)(?:key|apikey|api_key|token|secret|password|passwd|pass|auth|sig|signature|"
                            r"access_token|session|sid)$", re.IGNORECASE)


def redact_url(url: str) -> str:
    """``url`` with a password in it and the values of secret-looking query parameters
    (token, key, secret, password, sig...) replaced by ``***``, for messages and logs.

    A private feed's address often carries its access token; the run's warnings end up in
    cron mail and log files, where that token must not."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{hostport}" if ":" in userinfo else f"***@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAMS.search(k) for k, _ in pairs):
            query = urlencode([(k, "***" if _SECRET_PARAMS.search(k) else v) for k, v in pairs], safe="*")
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


_URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>]+")


def redact(text: str) -> str:
    """``text`` with every http(s) URL in it passed through ``redact_url``."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)


class _RedactFilter(logging.Filter):
    """Masks secrets in URLs that httpx writes into its request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(str(a)) if isinstance(a, (str, httpx.URL)) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_RedactFilter())
