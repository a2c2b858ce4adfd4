"""Bounces and complaints read from a mailbox: ``briefing.py bounces PATH``.

Point it at the mailbox where the sender address's returned mail lands: a maildir (a
folder with ``cur`` and ``new``), an mbox file, a folder of ``.eml`` files or one
``.eml`` file. Two kinds of report are understood, by their structure, not their wording:

* delivery status notifications (RFC 3464: ``multipart/report;
  report-type=delivery-status``): for each recipient, ``Action: failed`` with a 5.x.x
  status is a hard bounce (the address is marked ``bounced``); a 4.x.x status or
  ``Action: delayed`` is a soft bounce, counted, and the address is marked bounced at
  ``[subscribers] soft_bounce_limit``;
* complaint reports (ARF, RFC 5965: ``report-type=feedback-report``), sent by mailbox
  providers when someone marks the briefing as spam: the address is marked ``complained``.

Each report is applied once (they are remembered by Message-ID), so the same mailbox can
be read every day. Other mail (replies, vacation notices) is counted and left alone.
"""
from __future__ import annotations

import email
import email.utils
import hashlib
import logging
import mailbox
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path

from core.errors import ConfigError
from delivery import subscribers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    """What one report says of one address."""

    address: str
    kind: str  # hard | soft | complaint
    why: str


@dataclass
class BounceResult:
    """What ``apply_bounces`` did."""

    messages: int = 0
    reports: int = 0
    already: int = 0  # reports applied by an earlier run
    not_reports: int = 0
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (address, new state, why)
    counted: list[tuple[str, str]] = field(default_factory=list)  # soft bounces below the limit (address, why)
    unknown: list[str] = field(default_factory=list)  # addresses not on the list

    def summary(self, path: Path) -> str:
        """One closing line for the command line."""
        marked = {state: sum(1 for _a, s, _w in self.changed if s == state) for state in ("bounced", "complained")}
        return (f"{path}: {self.messages} message(s), {self.reports} report(s): {marked['bounced']} bounced, "
                f"{marked['complained']} complained, {len(self.counted)} soft bounce(s) counted, "
                f"{self.already} seen before, {len(self.unknown)} not on the list, {self.not_reports} other mail")


def read_mailbox(path: Path) -> Iterator[bytes]:
    """The raw messages of a maildir, an mbox file, a folder of .eml files or one .eml file."""
    path = Path(path).expanduser()
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            box = mailbox.Maildir(str(path), factory=None, create=False)
            for key in box.keys():
                yield box.get_bytes(key)
            return
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".eml", ".msg", ""))
        if not files:
            raise ConfigError(f"{path} is neither a maildir (no cur/ or new/ folder) nor a folder of .eml files")
        for file in files:
            yield file.read_bytes()
        return
    try:
        with open(path, "rb") as fh:
            start = fh.read(5)
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist; give a maildir, an mbox file or an .eml file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if start == b"From ":
        box = mailbox.mbox(str(path), factory=None, create=False)
        for key in box.keys():
            yield box.get_bytes(key)
    else:
        yield path.read_bytes()


def _address(field_value: str | None) -> str:
    """The address of a DSN/ARF address field: 'rfc822; ann@example.org' -> 'ann@example.org'."""
    if not field_value:
        return ""
    value = str(field_value)
    if ";" in value:
        kind, value = value.split(";", 1)
        if kind.strip().lower() != "rfc822":
            return ""
    return value.strip().strip("<>").strip()


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload
    # Some writers send the fields as plain text; parse the blocks as header sets.
    text = payload if isinstance(payload, str) else ""
    return [email.message_from_string(block.strip() + "\n", policy=default_policy)
            for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


def reports_in(msg: Message) -> list[Report]:
    """What a message reports (nothing when it is not a DSN or a complaint report)."""
    if msg.get_content_type() != "multipart/report":
        return []
    report_type = (msg.get_param("report-type") or "").lower()
    parts = list(msg.walk())
    if report_type == "delivery-status":
        status_part = next((p for p in parts if p.get_content_type() == "message/delivery-status"), None)
        if status_part is None:
            return []
        found = []
        for block in _blocks(status_part)[1:]:  # the first block describes the message, the rest recipients
            address = _address(block.get("Original-Recipient")) or _address(block.get("Final-Recipient"))
            action = str(block.get("Action", "")).strip().lower()
            status = str(block.get("Status", "")).strip()
            why = " ".join(str(block.get("Diagnostic-Code", "") or f"status {status}").split())
            if not address:
                continue
            if action == "failed" and status.startswith("5"):
                found.append(Report(address, "hard", why))
            elif action == "delayed" or (action == "failed" and status.startswith("4")):
                found.append(Report(address, "soft", why))
        return found
    if report_type == "feedback-report":
        feedback = next((p for p in parts if p.get_content_type() == "message/feedback-report"), None)
        if feedback is None:
            return []
        fields = _blocks(feedback)
        first = fields[0] if fields else Message()
        kind = str(first.get("Feedback-Type", "abuse")).strip().lower()
        if kind == "not-spam":
            return []
        address = _address(first.get("Original-Rcpt-To"))
        if not address:
            # The complained-of message travels along (whole, or its headers only): its To.
            for part in parts:
                original = None
                if part.get_content_type() == "message/rfc822" and isinstance(part.get_payload(), list):
                    original = part.get_payload()[0]
                elif part.get_content_type() == "text/rfc822-headers":
                    original = email.message_from_string(part.get_content(), policy=default_policy)
                if original is not None and original.get("To"):
                    address = email.utils.parseaddr(str(original["To"]))[1]
                    break
        return [Report(address, "complaint", f"complaint ({kind}) from {first.get('User-Agent', 'a mailbox provider')}")] \
            if address else []
    return []


def apply_bounces(conn: sqlite3.Connection, path: Path, soft_limit: int) -> BounceResult:
    """Read every message at ``path`` and apply its reports to the subscriber list."""
    result = BounceResult()
    for raw in read_mailbox(path):
        result.messages += 1
        msg = email.message_from_bytes(raw, policy=default_policy)
        try:
            found = reports_in(msg)
        except Exception as exc:  # noqa: BLE001 (one malformed message must not stop the rest)
            log.warning("%s: skipped an unreadable message (%s)", path, exc)
            result.not_reports += 1
            continue
        if not found:
            result.not_reports += 1
            continue
        key = str(msg.get("Message-ID") or "").strip() or hashlib.sha256(raw).hexdigest()
        if subscribers.seen_report(conn, key):
            result.already += 1
            continue
        for report in found:
            result.reports += 1
            cause = f"{report.why} (report {key} in {Path(path).name})"
            before = subscribers.get(conn, report.address)
            state = subscribers.bounce(conn, report.address, report.kind, cause, soft_limit)
            if state is None:
                result.unknown.append(report.address)
            elif before is not None and state != before.state:
                result.changed.append((report.address, state, report.why))
            elif report.kind == "soft":
                result.counted.append((report.address, report.why))
        subscribers.note_report(conn, key, found[0].address, found[0].kind)
    return result
