"""The ``subscribers`` and ``bounces`` commands: what they do, and the lines they print.

``briefing.py`` parses the command line and calls these; each returns the exit status.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from core.errors import ConfigError
from core.options import Options
from delivery import subscribers
from delivery.bounces import apply_bounces
from delivery.recipients import parse_addresses
from delivery.record import open_record, recipients_of

log = logging.getLogger(__name__)

Print = Callable[[str], None]


def _warn(text: str) -> None:
    print(f"warning: {text}", file=sys.stderr)


def run_subscribers(options: Options, action: str, addresses: list[str] | None = None, path: Path | None = None,
                    state: str | None = None, out: Print = print) -> int:
    """``subscribers add|remove|list|import|export``; the exit status."""
    conn = open_record(options)
    try:
        if action in ("add", "remove"):
            pairs = parse_addresses(addresses or [], "the address given")
            if not pairs:
                raise ConfigError(f"subscribers {action}: give at least one address")
            for name, address in pairs:
                if action == "add":
                    before = subscribers.add(conn, address, "added with `briefing.py subscribers add`", name)
                    if before in subscribers.OWN_CHOICE:
                        _warn(f"{address} {before} themselves; not added: only they can subscribe again, "
                              "by confirming the emailed link of the site's subscribe form")
                        continue
                    out(f"{address}: already active" if before == "active" else
                        f"{address}: active" + (f" again (was {before})" if before else ""))
                else:
                    before = subscribers.remove(conn, address, "removed with `briefing.py subscribers remove`")
                    out(f"{address}: already unsubscribed" if before == "unsubscribed" else f"{address}: unsubscribed")
            return 0
        if action == "list":
            try:
                recipients_of(options, conn)  # the configured addresses join the list as active
            except ConfigError as exc:
                _warn(exc.message())
            shown = subscribers.listing(conn, state)
            for s in shown:
                origin = " (configured)" if s.origin == "config" else ""
                name = f"  {s.name}" if s.name else ""
                soft = f", {s.soft_bounces} soft bounce(s)" if s.soft_bounces and s.state == "active" else ""
                out(f"{s.address}  {s.state}{soft} since {s.updated}{origin}{name}")
            counts = {st: sum(1 for s in shown if s.state == st) for st in subscribers.STATES}
            out(f"{len(shown)} address(es): " + ", ".join(f"{n} {st}" for st, n in counts.items() if n or st == "active"))
            return 0
        if action == "import":
            assert path is not None
            result = subscribers.import_csv(conn, path)
            for problem in result.problems:
                _warn(problem)
            for address, was in result.suppressed:
                print(f"note: {address} is {was}; left so (add it with `briefing.py subscribers add` "
                      "if they asked to come back)", file=sys.stderr)
            out(f"{path}: {len(result.added)} added, {len(result.already)} already active, "
                f"{len(result.suppressed)} left unsubscribed or bounced, {len(result.problems)} bad line(s)")
            return 0 if result.added or result.already or not result.problems else 1
        if action == "export":
            text = subscribers.export_csv(conn)
            if path is None:
                sys.stdout.write(text)
            else:
                try:
                    Path(path).write_text(text, encoding="utf-8")
                except OSError as exc:
                    raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from None
                out(f"wrote {text.count(chr(10)) - 1} subscriber(s) to {path}")
            return 0
        raise ConfigError(f"unknown subscribers action {action!r}")
    finally:
        conn.close()


def run_bounces(options: Options, path: Path, out: Print = print) -> int:
    """``bounces PATH``: apply the bounce and complaint reports of a mailbox; the exit status."""
    conn = open_record(options)
    try:
        result = apply_bounces(conn, path, options.subscribers.soft_bounce_limit)
    finally:
        conn.close()
    for address, state, why in result.changed:
        out(f"{address}: {state} ({why})")
    for address, why in result.counted:
        out(f"{address}: soft bounce counted ({why})")
    for address in result.unknown:
        print(f"note: {address} is not on the subscriber list; report ignored", file=sys.stderr)
    out(result.summary(path))
    return 0
