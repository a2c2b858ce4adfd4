"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), with failures to order.

Tests never talk to a real mail server; anything that speaks SMTP is pointed here.
Import the fixture into the test module so pytest finds it::

    from tests.smtpserver import smtp_server  # noqa: F401

    def test_send(smtp_server):
        smtp_server.refuse("bob@example.org", "450 4.2.1 Mailbox busy", times=1)  # a 4xx once
        smtp_server.refuse("eve@example.org", "550 5.1.1 No such user")          # a 5xx always
        smtp_server.drop_at_rcpt("ann@example.org", times=1)                     # hang up mid-session
        ... send to 127.0.0.1:smtp_server.port ...
        assert [m.rcpt_tos for m in smtp_server.messages] == ...

``messages`` holds what was accepted (one entry per DATA), ``attempts`` every RCPT seen,
``peers`` the client's (address, port) of each accepted message: one per connection.
``LoopbackSmtp(password="...")`` asks for a login (AUTH PLAIN/LOGIN without TLS) and
accepts only that password. ``LoopbackSmtp(tls="starttls", cert=...)`` requires STARTTLS,
``tls="ssl"`` speaks TLS from the first byte (implicit TLS), both with a certificate made
by ``trustme`` (see ``tls_certificate``).
"""
from __future__ import annotations

import email
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The message parsed with Python's email package (modern policy)."""
        return email.message_from_bytes(self.data, policy=default_policy)


class _Handler:
    def __init__(self, server: "LoopbackSmtp") -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        owner = self.server
        with owner.lock:
            owner.attempts.append(address)
            drops = owner._drops.get(address.lower(), 0)
            if drops:
                owner._drops[address.lower()] = drops - 1
            refusal = owner._refusals.get(address.lower())
            if refusal and refusal[1] is not None:
                reply, left = refusal
                owner._refusals[address.lower()] = (reply, left - 1) if left > 1 else None
        if drops:
            # Hang up without answering, as a server that crashes or a broken network does.
            server.transport.close()
            return "421 4.4.2 closing"  # never reaches the client
        if refusal:
            return refusal[0]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        owner = self.server
        with owner.lock:
            owner.messages.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.content)))
            owner.peers.append(tuple(session.peer[:2]))
            owner.arrivals.append(time.monotonic())
            number = len(owner.messages)
        return f"250 2.0.0 Ok: queued as Q{number:04d}"


class _Authenticator:
    def __init__(self, password: str) -> None:
        self.password = password

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == self.password
        return AuthResult(success=ok, handled=False)


class _Controller(Controller):
    def _trigger_server(self):
        # Port 0 lets the system choose a free port; learn which before the readiness probe.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class LoopbackSmtp:
    """An SMTP server on 127.0.0.1 with an OS-chosen port, run by aiosmtpd in a thread."""

    def __init__(self, password: str | None = None, tls: str = "none", cert=None) -> None:
        self.messages: list[Received] = []
        self.attempts: list[str] = []
        self.peers: list[tuple[str, int]] = []
        self.arrivals: list[float] = []
        self.lock = threading.Lock()
        self._refusals: dict[str, tuple[str, int | None] | None] = {}
        self._drops: dict[str, int] = {}
        extra: dict = {}
        if password is not None:
            # aiosmtpd counts only STARTTLS as TLS for AUTH; an implicit-TLS session is encrypted too.
            extra = dict(authenticator=_Authenticator(password), auth_required=True,
                         auth_require_tls=tls == "starttls")
        if tls != "none":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(context)
            if tls == "ssl":
                extra["ssl_context"] = context
            else:
                extra.update(tls_context=context, require_starttls=True)
        self.controller = _Controller(_Handler(self), hostname="127.0.0.1", port=0, **extra)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self.controller.port

    def refuse(self, address: str, reply: str = "450 4.2.1 Mailbox busy, try again later",
               times: int | None = None) -> None:
        """Answer RCPT TO for ``address`` with ``reply``: ``times`` times, or always when None."""
        with self.lock:
            self._refusals[address.lower()] = (reply, times)

    def drop_at_rcpt(self, address: str, times: int = 1) -> None:
        """Close the connection without an answer when RCPT TO names ``address`` (``times`` times)."""
        with self.lock:
            self._drops[address.lower()] = times

    def delivered_to(self) -> list[str]:
        """Every recipient of every accepted message, in order."""
        with self.lock:
            return [r for m in self.messages for r in m.rcpt_tos]

    def start(self) -> "LoopbackSmtp":
        """Start serving; returns self."""
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.controller.stop()

    def __enter__(self) -> "LoopbackSmtp":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def smtp_server() -> Iterator[LoopbackSmtp]:
    """A started ``LoopbackSmtp`` that accepts everything until told otherwise."""
    with LoopbackSmtp() as server:
        yield server


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory):
    """(a trustme CA's PEM file, a server certificate for 127.0.0.1 and localhost signed by it)."""
    import trustme

    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "private-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path, ca.issue_cert("127.0.0.1", "localhost")
