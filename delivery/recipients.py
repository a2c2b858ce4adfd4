"""Who receives the briefing by configuration: ``[smtp] to`` plus a recipients file, checked.

``[smtp] to`` (or ``BRIEFING_TO``) suits a handful of addresses; a longer list goes in
``recipients_file``, one address per line with ``#`` comments, or in the subscriber list
(``delivery.subscribers``). Addresses are read with the standard library's parser
(``email.utils.getaddresses``): commas or semicolons between them, display names that
hold commas when quoted (``"Smith, Ann" <ann@example.org>``). Every address is checked
before anything is sent, and a bad one is reported with where it came from, so a typo
never turns into a half-sent morning.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from email.utils import getaddresses
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

TO_SETTING = "BRIEFING_TO / [smtp] to"


def check_address(text: str, where: str) -> str:
    """The bare address in ``text`` ('Ann <ann@example.org>' or 'ann@example.org'), or ConfigError.

    ``where`` names the setting or file line the address came from, for the message.
    """
    return check_mailbox(text, where)[1]


def check_mailbox(text: str, where: str) -> tuple[str, str]:
    """(display name, bare address) of one address, or ConfigError naming ``where``."""
    pairs = [(name, address) for name, address in getaddresses([text.strip()]) if name or address]
    name, address = pairs[0] if len(pairs) == 1 else ("", "")
    if len(re.findall(r'(?<!\\)"', text)) % 2:
        raise ConfigError(f"{where}: {text.strip()!r} has a quote that is never closed")
    if not address or not _ADDRESS.match(address):
        raise ConfigError(f"{where}: {text.strip()!r} is not an email address")
    if not address.isascii():
        # An internationalised address needs SMTPUTF8 end to end; refuse it up front
        # rather than have the server reject it in the middle of a send.
        raise ConfigError(f"{where}: {address!r} has non-ASCII characters, which this program cannot send to")
    return name, address


def check_public_address(text: str, where: str) -> str:
    """The bare address of one a stranger typed (the subscribe form), or ConfigError naming ``where``.

    Stricter than ``check_mailbox``: a domain on the internet (a dot, a top-level name of
    letters; not ``localhost``), at most 64 characters before the '@', 63 in each part of
    the domain and 254 in all (RFC 5321's limits).
    """
    _name, address = check_mailbox(text[:400], where)
    local, _, domain = address.rpartition("@")
    labels = domain.split(".")
    if len(address) > 254 or len(local) > 64 or any(len(label) > 63 for label in labels):
        raise ConfigError(f"{where}: {address[:80]!r} is longer than an email address can be")
    if len(labels) < 2 or not labels[-1].isalpha() or len(labels[-1]) < 2:
        raise ConfigError(f"{where}: {address[:80]!r} is not an address on the internet")
    return address


def split_addresses(text: str) -> list[str]:
    """``text`` cut at the commas and semicolons between addresses (not those in quotes, <> or comments).

    People type ``ann@example.org; bob@example.org`` (Outlook's separator) as often as
    commas; the address parser treats a semicolon as the end of a group, so it is cut
    here first, and each piece is then parsed on its own so that a bad one can be named.
    """
    pieces, current, quoted, escaped, angle, comment = [], [], False, False, 0, 0
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"' and not comment:
            quoted = not quoted
        elif not quoted:
            if ch == "(":
                comment += 1
            elif ch == ")" and comment:
                comment -= 1
            elif ch == "<" and not comment:
                angle += 1
            elif ch == ">" and angle and not comment:
                angle -= 1
            elif ch in ",;" and not angle and not comment:
                pieces.append("".join(current))
                current = []
                continue
        current.append(ch)
    pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip()]


def parse_addresses(texts: Iterable[str], where: str) -> list[tuple[str, str]]:
    """Every (display name, address) in ``texts``; ConfigError naming the first bad one and ``where``."""
    # The options loader cuts an environment value at commas (it knows no quoting), so the
    # pieces are joined back before the address parser sees them.
    joined = ", ".join(t for t in texts if t.strip())
    return [check_mailbox(piece, where) for piece in split_addresses(joined)]


def read_recipients_file(path: Path) -> list[str]:
    """The addresses of a recipients file: one or more a line, blank lines and '#' comments ignored."""
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
            addresses += [address for _name, address in parse_addresses([line], f"{path} line {number}")]
    return addresses


def unique(addresses: Iterable[str]) -> tuple[str, ...]:
    """The addresses in order, each once (compared without regard to case)."""
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address.lower(), address)
    return tuple(seen.values())


def load_recipients(smtp: SmtpOptions, home: Path) -> tuple[str, ...]:
    """Every configured recipient: ``smtp.to`` then the recipients file (relative to ``home``), checked, each once."""
    addresses = [address for _name, address in parse_addresses(smtp.to, TO_SETTING)]
    if smtp.recipients_file:
        addresses += read_recipients_file(recipients_path(smtp, home))
    return unique(addresses)


def recipients_path(smtp: SmtpOptions, home: Path) -> Path:
    """Where the recipients file is (``recipients_file`` relative to ``home``)."""
    path = Path(smtp.recipients_file).expanduser()
    return path if path.is_absolute() else home / path


def sender_address(smtp: SmtpOptions) -> str:
    """The envelope sender (the bare address of BRIEFING_FROM), or ConfigError when it is not set."""
    if not smtp.sender.strip():
        raise ConfigError("no sender address: set BRIEFING_FROM or [smtp] sender, e.g. 'Briefing <me@example.org>'")
    return check_address(smtp.sender, "BRIEFING_FROM / [smtp] sender")
