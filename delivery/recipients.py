"""Who receives the briefing: the configured addresses plus a recipients file, checked.

``[smtp] to`` (or ``BRIEFING_TO``, comma-separated) suits a handful of addresses; a longer
list goes in ``recipients_file``, one address per line with ``#`` comments. Every address
is checked before anything is sent, and a bad one is reported with the file and line it
came from, so a typo never turns into a half-sent morning.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Iterable
from email.utils import parseaddr
from pathlib import Path

from core.errors import ConfigError
from delivery.options import SmtpOptions

log = logging.getLogger(__name__)

# Deliberately simple: one '@', a non-empty local part, a dotted domain (or 'localhost'),
# no spaces or angle brackets. Full RFC 5321 syntax admits quoted local parts nobody types
# into a config file; what matters here is catching typos such as a missing '@' or a
# trailing comma before the mail server does.
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@(localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)$")


def check_address(text: str, where: str) -> str:
    """The bare address in ``text`` ('Ann <ann@example.org>' or 'ann@example.org'), or ConfigError.

    ``where`` names the setting or file line the address came from, for the message.
    """
    _name, address = parseaddr(text.strip())
    if not address or not _ADDRESS.match(address):
        raise ConfigError(f"{where}: {text.strip()!r} is not an email address")
    if not address.isascii():
        # An internationalised address needs SMTPUTF8 end to end; refuse it up front
        # rather than have the server reject it in the middle of a send.
        raise ConfigError(f"{where}: {address!r} has non-ASCII characters, which this program cannot send to")
    return address


def read_recipients_file(path: Path) -> list[str]:
    """The addresses of a recipients file: one per line, blank lines and '#' comments ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"recipients file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"recipients file {path}: cannot read: {exc}") from None
    addresses = []
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            addresses.append(check_address(line, f"{path} line {number}"))
    return addresses


def unique(addresses: Iterable[str]) -> tuple[str, ...]:
    """The addresses in order, each once (compared without regard to case)."""
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address.lower(), address)
    return tuple(seen.values())


def load_recipients(smtp: SmtpOptions, home: Path) -> tuple[str, ...]:
    """Every recipient: ``smtp.to`` then the recipients file (relative to ``home``), checked, each once."""
    addresses = [check_address(text, "BRIEFING_TO / [smtp] to") for text in smtp.to]
    if smtp.recipients_file:
        path = Path(smtp.recipients_file).expanduser()
        addresses += read_recipients_file(path if path.is_absolute() else home / path)
    return unique(addresses)


def sender_address(smtp: SmtpOptions) -> str:
    """The envelope sender (the bare address of BRIEFING_FROM), or ConfigError when it is not set."""
    if not smtp.sender.strip():
        raise ConfigError("no sender address: set BRIEFING_FROM or [smtp] sender, e.g. 'Briefing <me@example.org>'")
    return check_address(smtp.sender, "BRIEFING_FROM / [smtp] sender")


def unsubscribe_token(key: bytes, address: str) -> str:
    """An opaque token naming one recipient in the one-click unsubscribe link.

    An HMAC rather than the address itself, so that the link neither exposes the address
    in web server logs nor lets anyone unsubscribe somebody else by editing the URL
    (RFC 8058 asks for exactly such an opaque identifier).
    """
    return hmac.new(key, address.lower().encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def recipient_of_token(key: bytes, token: str, addresses: Iterable[str]) -> str | None:
    """Which of ``addresses`` an unsubscribe token belongs to (for whatever handles the POST)."""
    for address in addresses:
        if hmac.compare_digest(unsubscribe_token(key, address), token):
            return address
    return None
