"""Settings of ``briefing.py serve``: the ``[serve]`` section (each also ``BRIEFING_SERVE_<FIELD>``)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServeOptions:
    """Limits of the web server (waitress) and of the subscribe form."""

    threads: int = 8  # requests answered at once; waiting connections cost no thread
    idle_timeout: float = 30.0  # seconds a connection may send nothing before it is closed
    request_timeout: float = 30.0  # seconds for a request's head and body to arrive in full
    connection_limit: int = 1000  # open connections; more wait in the listen queue
    backlog: int = 1024  # the kernel's listen queue
    max_header_bytes: int = 16384  # request line plus headers; more gets a 431
    subscribe_per_client: int = 10  # subscribe-form posts per client address per hour; more get a 429
    subscribe_per_address: int = 3  # posts per mailbox (plus-tags ignored) per hour; more get a 429
    # The address of a reverse proxy in front of the server (e.g. "127.0.0.1"). Only a request
    # from it has its X-Forwarded-For (and -Proto, -Host) believed, for the rate limits and the
    # same-origin check. Empty: none is believed.
    trusted_proxy: str = ""
