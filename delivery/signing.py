"""DKIM signatures (RFC 6376) on the messages ``send`` writes or sends, made with dkimpy.

RFC 8058 one-click unsubscribe counts only when a DKIM signature covers List-Unsubscribe
and List-Unsubscribe-Post, and the large mailbox providers ask bulk senders for DKIM.
Each recipient's copy is signed on its own (its To and Message-ID differ), relaxed/relaxed
canonicalisation, rsa-sha256, over the headers in ``SIGNED``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import dkim
from dkim.crypto import UnparsableKeyError

from core.errors import ConfigError
from delivery.options import SmtpOptions

log = logging.getLogger(__name__)

# The headers the signature covers: those RFC 8058 and the providers name, and the MIME
# headers that say how to read the body.
SIGNED = (b"From", b"To", b"Subject", b"Date", b"Message-ID", b"List-Id", b"List-Unsubscribe",
          b"List-Unsubscribe-Post", b"MIME-Version", b"Content-Type")
SETTINGS = ("dkim_selector", "dkim_domain", "dkim_key_file")


@dataclass(frozen=True)
class Signer:
    """Signs messages for one selector and domain with one private key."""

    selector: str
    domain: str
    key: bytes = field(repr=False)

    def header(self, message: bytes) -> bytes:
        """The ``DKIM-Signature:`` header (CRLF line ends) to put in front of ``message``."""
        # A header named but absent (List-Unsubscribe-Post without an https link) is signed
        # as absent: nobody can add it on the way (RFC 6376 section 5.4).
        return dkim.sign(message, self.selector.encode("ascii"), self.domain.encode("ascii"), self.key,
                         canonicalize=(b"relaxed", b"relaxed"), include_headers=list(SIGNED), linesep=b"\r\n")

    def sign(self, message: bytes) -> bytes:
        """``message`` with its DKIM-Signature header first."""
        return self.header(message) + message


def key_path(smtp: SmtpOptions, home: Path) -> Path:
    """Where the private key file is (``dkim_key_file`` relative to ``home``)."""
    path = Path(smtp.dkim_key_file).expanduser()
    return path if path.is_absolute() else home / path


def signer(smtp: SmtpOptions, home: Path) -> Signer | None:
    """The signer the settings ask for, None when DKIM is not set up; ``ConfigError`` when the
    settings are incomplete or the key cannot be read or used (before anything is sent)."""
    given = {name: getattr(smtp, name).strip() for name in SETTINGS}
    if not any(given.values()):
        return None
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise ConfigError(f"DKIM needs [smtp] {', '.join(SETTINGS)} together; {', '.join(missing)} "
                          "is not set", hint="set " + ", ".join(f"BRIEFING_SMTP_{n.upper()}" for n in missing)
                          + " or remove the other DKIM settings")
    for name in ("dkim_selector", "dkim_domain"):
        value = given[name]
        if not value.isascii() or any(ch.isspace() or ch in ";=\"'" for ch in value):
            raise ConfigError(f"[smtp] {name} {value!r} is not a DNS label or domain name")
    path = key_path(smtp, home)
    try:
        key = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"[smtp] dkim_key_file {path}: cannot read the DKIM key: {exc.strerror or exc}",
                          hint="give the PEM file of the private key whose public half is in DNS") from None
    made = Signer(given["dkim_selector"], given["dkim_domain"].lower().rstrip("."), key)
    probe = b"From: probe@example.org\r\nTo: probe@example.org\r\nSubject: probe\r\n\r\nprobe\r\n"
    try:
        made.header(probe)
    except (UnparsableKeyError, dkim.DKIMException, ValueError, IndexError) as exc:
        raise ConfigError(f"[smtp] dkim_key_file {path}: not a usable RSA private key ({exc})",
                          hint="give a PEM file as made by `openssl genrsa -out dkim.pem 2048`") from None
    return made


def dns_record(public_key_der: bytes) -> str:
    """The TXT record to publish at ``<selector>._domainkey.<domain>`` for a public key (DER)."""
    import base64
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(public_key_der).decode("ascii")
