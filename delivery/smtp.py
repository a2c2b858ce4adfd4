"""One SMTP connection to the mail server, carrying one transaction per message.

TLS as users have it: ``starttls`` (usually port 587) or ``ssl`` (implicit TLS, usually
465), with the system's certificate authorities (which ``SSL_CERT_FILE`` can replace) or
a private one given as ``[smtp] ca_file``. A mode that does not match the port fails fast
with a message naming the fix: ``ssl`` against a plain port fails at the handshake, and
``starttls`` or ``none`` against an implicit-TLS port would wait for a greeting that never
comes, so port 465 is refused at once and any other silent server after ``GREETING_WAIT``
seconds.

Each message is one transaction, split so that a crash cannot send it twice: MAIL, RCPT,
DATA and the message without its final line; then ``handed`` (the caller records that the
message is in the server's hands); then the final ``.`` line and the server's answer. A
server never accepts a message whose final dot did not arrive (RFC 5321 section 4.1.1.4),
so a process that dies before ``handed`` returns leaves nothing accepted, and one that dies
after it leaves a message the server almost surely accepts. The socket sends at once
(``TCP_NODELAY``): the 3-byte final line after a large write would otherwise wait for
the server's delayed acknowledgement, about 40 ms on Linux.

When the server offers 8BITMIME, ``eightbit`` is True and the caller may send an 8bit
message (``delivery.message.Wire``); MAIL then says ``BODY=8BITMIME`` (RFC 6152).

The password is handed to ``smtplib`` and nowhere else: it is kept out of the options'
``repr``, smtplib's debug output (which would print the AUTH exchange) is never switched
on, and every server answer is scrubbed of it before it is logged, stored or shown.
"""
from __future__ import annotations

import base64
import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError, DeliveryError
from delivery.message import Wire, dot_stuff
from delivery.options import SmtpOptions

log = logging.getLogger(__name__)

TLS_MODES = ("none", "starttls", "ssl")
IMPLICIT_TLS_PORT = 465
# How long to wait for the server's first line before suspecting it wants TLS first. Not
# shorter: a server under load, or one that delays its greeting on purpose against spam
# bots (Postfix postscreen waits 6 s on port 25), must still get through.
GREETING_WAIT = 10.0
_FIX_SSL = "set BRIEFING_SMTP_TLS=ssl ([smtp] tls = \"ssl\")"
_EOL = re.compile(rb"\r\n|\n|\r(?!\n)")
# A bare address that needs no parsing to be put in angle brackets.
_PLAIN_ADDRESS = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+")


def _path(address: str) -> str:
    """``<address>`` for MAIL FROM and RCPT TO; smtplib's quoteaddr parses the address each time
    (0.1 ms or more), which is most of the sender's work per message for a bare address."""
    return f"<{address}>" if _PLAIN_ADDRESS.fullmatch(address) else smtplib.quoteaddr(address)


@dataclass(frozen=True)
class Outcome:
    """What the server made of one attempt: ``sent``, ``temporary`` or ``permanent``, with its answer.

    ``handed``: the whole message, final dot included, went to the server (so ``handed``
    was called) before this answer, or the lack of one.
    """

    status: str
    code: int | None
    answer: str
    handed: bool = False


def tls_context(options: SmtpOptions) -> ssl.SSLContext:
    """The TLS context for the server: the system's authorities, or those of ``ca_file``."""
    if not options.ca_file:
        return ssl.create_default_context()
    path = Path(options.ca_file).expanduser()
    try:
        return ssl.create_default_context(cafile=str(path))
    except FileNotFoundError:
        raise ConfigError(f"[smtp] ca_file {path} does not exist") from None
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(f"[smtp] ca_file {path} is not a PEM file of certificates ({exc})") from None


class _Greeting:
    """smtplib's connect, with a shorter wait for the greeting than for later answers."""

    tcp_open = False
    greeting_wait: float

    def _get_socket(self, host, port, timeout):
        sock = super()._get_socket(host, port, timeout)
        self.tcp_open = True
        # Each write goes out at once: without this the final '.' line, a few bytes after
        # the message, waits for the server's delayed ACK (Nagle's algorithm), ~40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(self.greeting_wait)
        return sock


class _SMTP(_Greeting, smtplib.SMTP):
    def __init__(self, *, greeting_wait: float, **kwargs) -> None:
        self.greeting_wait = greeting_wait
        super().__init__(**kwargs)


class _SMTP_SSL(_Greeting, smtplib.SMTP_SSL):  # noqa: N801 (smtplib's naming)
    def __init__(self, *, greeting_wait: float, **kwargs) -> None:
        self.greeting_wait = greeting_wait
        super().__init__(**kwargs)


class Unreachable(Exception):
    """The server could not be reached or dropped us before a transaction (temporary)."""


class _Scrubber:
    """Removes the password, in the forms smtplib sends it, from any text shown to anyone."""

    def __init__(self, user: str, password: str) -> None:
        forms = set()
        if password:
            forms.add(password)
            forms.add(base64.b64encode(password.encode()).decode())  # AUTH LOGIN
            forms.add(base64.b64encode(f"\0{user}\0{password}".encode()).decode())  # AUTH PLAIN
        self.forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, "********")
        return text


def _answer(code: int | None, reply: bytes | str | None, scrub: _Scrubber) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else (reply or "")
    text = " ".join(text.split())
    text = scrub(f"{code} {text}" if code is not None else text)
    return text if len(text) <= 200 else text[:197] + "..."


def _kind(code: int) -> str:
    return "temporary" if 400 <= code < 500 else "permanent"


class SmtpSession:
    """One connection to the mail server, reopened as needed, sending one transaction per recipient."""

    def __init__(self, options: SmtpOptions, sender: str) -> None:
        self.options = options
        self.sender = sender
        self.scrub = _Scrubber(options.user, options.password)
        self.where = f"{options.host}:{options.port}"
        self.conn: smtplib.SMTP | None = None
        self.carried = 0  # messages accepted on the current connection
        self.context: ssl.SSLContext | None = None
        self.local_hostname: str | None = None

    def open(self) -> None:
        """Connect (TLS as configured) and log in; DeliveryError for what only the user can fix."""
        if self.conn is not None:
            return
        o = self.options
        if o.tls != "ssl" and o.port == IMPLICIT_TLS_PORT:
            raise DeliveryError(f"port {o.port} of {o.host} expects TLS from the first byte (implicit TLS), "
                                f"but BRIEFING_SMTP_TLS is {o.tls!r}: {_FIX_SSL}, or use port 587 with starttls")
        if o.tls != "none" and self.context is None:
            # Loading the system's certificate store takes about 0.1 s: once per session, not per connection.
            self.context = tls_context(o)
        context = self.context
        wait = o.timeout if o.tls == "ssl" else min(o.timeout, GREETING_WAIT)
        if self.local_hostname is None:
            self.local_hostname = socket.getfqdn()  # smtplib would look it up for every connection
        conn = (_SMTP_SSL(timeout=o.timeout, context=context, greeting_wait=wait, local_hostname=self.local_hostname)
                if o.tls == "ssl" else _SMTP(timeout=o.timeout, greeting_wait=wait, local_hostname=self.local_hostname))
        # The name TLS checks the certificate against; the constructor would set it, but
        # connecting there would leave no object to close when the connection fails.
        conn._host = o.host
        try:
            try:
                code, reply = conn.connect(o.host, o.port)
            except (smtplib.SMTPServerDisconnected, TimeoutError) as exc:
                if conn.tcp_open and o.tls != "ssl" and "timed out" in str(exc):
                    raise DeliveryError(f"{self.where} accepted the connection but sent no SMTP greeting in "
                                        f"{wait:g} s: it probably expects TLS from the first byte (implicit TLS); "
                                        f"{_FIX_SSL}") from None
                raise
            if code != 220:
                raise smtplib.SMTPConnectError(code, reply)
            conn.sock.settimeout(o.timeout)
            conn.ehlo_or_helo_if_needed()
            if o.tls == "starttls":
                if not conn.has_extn("starttls"):
                    raise DeliveryError(f"{self.where} does not offer STARTTLS; use BRIEFING_SMTP_TLS=ssl "
                                        "(usually port 465), or none on a trusted local network only")
                conn.starttls(context=context)
                conn.ehlo()
            if o.user:
                self._login(conn)
        except DeliveryError:
            conn.close()
            raise
        except smtplib.SMTPNotSupportedError:
            conn.close()
            raise DeliveryError(f"{self.where} offers no login (AUTH) on this connection; "
                                "check BRIEFING_SMTP_TLS, or leave BRIEFING_SMTP_USER empty") from None
        except smtplib.SMTPAuthenticationError as exc:
            conn.close()
            answer = _answer(exc.smtp_code, exc.smtp_error, self.scrub)
            if 400 <= exc.smtp_code < 500:
                raise Unreachable(f"login deferred by {self.where}: {answer}") from None
            raise DeliveryError(f"{self.where} refused the login of {o.user!r}: {answer}; "
                                "check BRIEFING_SMTP_USER and BRIEFING_SMTP_PASSWORD") from None
        except smtplib.SMTPResponseException as exc:
            conn.close()
            answer = _answer(exc.smtp_code, exc.smtp_error, self.scrub)
            if 400 <= exc.smtp_code < 500:
                raise Unreachable(f"{self.where} answered {answer}") from None
            raise DeliveryError(f"{self.where} refused the connection: {answer}") from None
        except ssl.SSLCertVerificationError as exc:
            conn.close()
            raise DeliveryError(f"the certificate of {self.where} is not trusted ({exc.verify_message}); "
                                "if the server uses a private certificate authority, set [smtp] ca_file "
                                "(BRIEFING_SMTP_CA_FILE) to its PEM file") from None
        except ssl.SSLError as exc:
            conn.close()
            raise DeliveryError(f"TLS with {self.where} failed ({self.scrub(str(exc.reason or exc))}); "
                                f"BRIEFING_SMTP_TLS is {o.tls!r}: port 465 usually wants ssl, 587 starttls") from None
        except (smtplib.SMTPException, OSError) as exc:
            conn.close()
            raise Unreachable(f"cannot reach {self.where}: {self.scrub(str(exc)) or type(exc).__name__}") from None
        self.conn = conn
        self.carried = 0

    @property
    def eightbit(self) -> bool:
        """True when the open connection's server takes 8bit messages (it offers 8BITMIME)."""
        return self.conn is not None and self.conn.has_extn("8bitmime")

    def _login(self, conn: smtplib.SMTP) -> None:
        o = self.options
        if (o.user + o.password).isascii():
            conn.login(o.user, o.password)
            return
        # smtplib encodes credentials as ASCII and fails on 'Wörd'; AUTH PLAIN is defined
        # over UTF-8 (RFC 4616), so send it by hand for such passwords.
        if not conn.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError("AUTH not offered")
        token = base64.b64encode(f"\0{o.user}\0{o.password}".encode("utf-8")).decode("ascii")
        code, reply = conn.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply)

    def close(self) -> None:
        """Say QUIT if the connection still works, and forget it."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def _reset(self) -> None:
        try:
            assert self.conn is not None
            self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def send(self, recipient: str, data: bytes | Wire, handed: Callable[[], None] | None = None) -> Outcome:
        """One transaction (MAIL, RCPT, DATA) for one recipient; the server's verdict as an Outcome.

        ``data`` is the message (CRLF line ends), or a ``Wire`` already dot-stuffed. ``handed``
        is called when everything but the final '.' line has gone: once it returns, the
        final line goes and the server will almost surely accept the message whatever
        becomes of this process. If it raises, the connection is dropped without the final
        line (so the server discards the message) and the exception propagates.

        Call ``open`` first: a connection that cannot be made is the caller's to report.
        A connection that drops after the final line, before any answer, is a temporary
        failure like any other dropped connection (the message is sent again later):
        RFC 5321 tells a client to treat a missing answer as a failure, and a server
        that crashed or timed out at that moment usually did not keep the message.
        """
        assert self.conn is not None, "open() first"
        wire = data if isinstance(data, Wire) else Wire(dot_stuff(_EOL.sub(b"\r\n", data)), not data.isascii())
        conn = self.conn
        whole = in_data = False
        try:
            conn.putcmd("mail", f"FROM:{_path(self.sender)}"
                                + (" BODY=8BITMIME" if wire.eightbit and self.eightbit else ""))
            code, reply = conn.getreply()
            if code != 250:
                return self._refused_sender(code, reply)
            conn.putcmd("rcpt", f"TO:{_path(recipient)}")
            code, reply = conn.getreply()
            if code not in (250, 251):
                self._reset_or_close(code)
                return Outcome(_kind(code), code, _answer(code, reply, self.scrub))
            conn.putcmd("data")
            code, reply = conn.getreply()
            if code != 354:
                self._reset_or_close(code)
                return Outcome(_kind(code), code, _answer(code, reply, self.scrub))
            in_data = True
            conn.send(wire.data)
            if handed is not None:
                try:
                    handed()
                except BaseException:
                    self._abandon()  # no final line: the server discards what it has
                    raise
            whole = True
            conn.send(b".\r\n")
            code, reply = conn.getreply()
            in_data = False
            if code != 250:
                self._reset_or_close(code)
                return Outcome(_kind(code), code, _answer(code, reply, self.scrub), handed=True)
            self.carried += 1
            return Outcome("sent", code, _answer(code, reply, self.scrub), handed=True)
        except smtplib.SMTPServerDisconnected as exc:
            self._abandon() if in_data else self.close()
            return Outcome("temporary", None, f"connection dropped by {self.where}: {self.scrub(str(exc))}",
                           handed=whole)
        except smtplib.SMTPResponseException as exc:
            self._reset_or_close(exc.smtp_code)
            return Outcome(_kind(exc.smtp_code), exc.smtp_code, _answer(exc.smtp_code, exc.smtp_error, self.scrub),
                           handed=whole)
        except (smtplib.SMTPException, OSError) as exc:  # timeouts, resets
            # In the middle of DATA a QUIT would be taken for message text: just hang up.
            self._abandon() if in_data else self.close()
            return Outcome("temporary", None, f"connection to {self.where} failed: "
                           f"{self.scrub(str(exc)) or type(exc).__name__}", handed=whole)

    def _abandon(self) -> None:
        """Drop the connection at once, without QUIT (in the middle of DATA, QUIT would be message text)."""
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()

    def _reset_or_close(self, code: int) -> None:
        # 421 means the server is closing the connection; anything else leaves it usable.
        if code == 421:
            self.close()
        else:
            self._reset()

    def _refused_sender(self, code: int, reply: bytes) -> Outcome:
        answer = _answer(code, reply, self.scrub)
        self._reset_or_close(code)
        if code == 530:
            raise DeliveryError(f"{self.where} wants a login before sending ({answer}); "
                                "set BRIEFING_SMTP_USER and BRIEFING_SMTP_PASSWORD")
        if code >= 500:
            # The sender address is refused for everyone: a setting to fix, not a recipient to mark.
            raise DeliveryError(f"{self.where} refused the sender address {self.sender}: {answer}; check BRIEFING_FROM")
        return Outcome("temporary", code, answer)


def check_smtp_settings(smtp) -> None:
    """ConfigError when the [smtp] settings cannot work whatever is sent (TLS mode, retries,
    timeouts, connections); shared by ``send`` and the subscribe form's confirmations."""
    if smtp.tls not in TLS_MODES:
        raise ConfigError(f"BRIEFING_SMTP_TLS / [smtp] tls is {smtp.tls!r}; use one of {', '.join(TLS_MODES)}")
    if smtp.retries < 0 or smtp.retry_delay < 0 or smtp.timeout <= 0:
        raise ConfigError("[smtp] retries and retry_delay must be >= 0 and timeout > 0")
    if smtp.connections < 1 or smtp.messages_per_second < 0 or smtp.messages_per_connection < 0:
        raise ConfigError("[smtp] connections must be at least 1, messages_per_second and "
                          "messages_per_connection >= 0 (0: no limit)")
