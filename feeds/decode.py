"""Bytes of a stored text file -> text, forgiving the stray legacy bytes real files carry.

Scraped pages saved as UTF-8 often hold a few bytes of Windows-1252 (curly quotes, dashes
or an accented letter pasted in from another program): strict decoding refused such a file
whole for one byte. Here each byte sequence that is not valid UTF-8 is read as
Windows-1252 instead, and the caller is told (a warning naming the file and the first
offending offset). A file where most non-ASCII bytes are not UTF-8 is read as
Windows-1252 throughout; UTF-16 and UTF-8 byte-order marks are honoured.
"""
from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

from core.errors import InputError

log = logging.getLogger(__name__)

# Windows-1252 leaves five bytes undefined; Latin-1 gives them a (control) character, so
# every byte decodes to something and no text is lost.
_UNDEFINED_1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _legacy_char(byte: int) -> str:
    if byte in _UNDEFINED_1252 or byte < 0x80:
        return chr(byte)
    return bytes([byte]).decode("cp1252")


_ESCAPED = re.compile("[\udc80-\udcff]")


def _unescape(match: re.Match) -> str:
    return _legacy_char(ord(match.group()) - 0xDC00)


@dataclass(frozen=True)
class DecodedText:
    """A file's text, and what was done to read it (empty when it was clean UTF-8)."""

    text: str
    note: str = ""


def decode_bytes(data: bytes, where: str = "") -> DecodedText:
    """Decode a text file's bytes: UTF-8 (BOM optional), with stray bytes read as Windows-1252.

    ``note`` says what was done when the bytes were not clean UTF-8, naming ``where``.
    """
    prefix = f"{where}: " if where else ""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                order = "little" if bom == codecs.BOM_UTF16_LE else "big"
                return DecodedText(data.decode(codec), f"{prefix}UTF-16 ({order}-endian, with a byte-order mark); "
                                                       "read as such")
            except UnicodeDecodeError as exc:
                raise InputError(f"{prefix}starts as UTF-16 but is not valid UTF-16 (offset {exc.start})") from None
    try:
        return DecodedText(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        # utf-8-sig counts offsets after the byte-order mark
        first = exc.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
    # surrogateescape keeps each undecodable byte as one marker character, in one linear pass.
    escaped = data.decode("utf-8-sig", errors="surrogateescape")
    strays = len(_ESCAPED.findall(escaped))
    high = sum(1 for b in data if b >= 0x80)
    if strays * 2 > high:
        # Most non-ASCII bytes are not UTF-8: the file as a whole is in the legacy encoding.
        return DecodedText("".join(_legacy_char(b) for b in data),
                           f"{prefix}not UTF-8; read as Windows-1252 (first such byte 0x{data[first]:02x} "
                           f"at offset {first}); save it as UTF-8 to be sure of its characters")
    return DecodedText(_ESCAPED.sub(_unescape, escaped), f"{prefix}{strays} byte(s) that are not UTF-8 read as Windows-1252 "
                             f"(first 0x{data[first]:02x} at offset {first})")


def looks_binary(data: bytes) -> bool:
    """True when bytes are no text file: NUL bytes early on, unless a UTF-16 byte-order mark
    says they are the high halves of UTF-16 characters (a Windows "Unicode" text file)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in data[:8192]


def decode_text(data: bytes, where: str) -> str:
    """The text of a file's bytes (see ``decode_bytes``); a fallback is logged as a warning naming ``where``."""
    decoded = decode_bytes(data, where)
    if decoded.note:
        log.warning("%s", decoded.note)
    return decoded.text
