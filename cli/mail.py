"""Commands that reach the readers: send, subscribers, bounces, schedule."""
from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

from core import flags
from cli.output import load, progress, quiet, say


def cmd_send(args) -> int:
    from core.lock import job_lock
    from delivery.send import send_briefing
    options = load(light=True)
    date = flags.date(args.date, "--date")
    made = args.dry_run is not None and not Path(args.dry_run).expanduser().exists()
    dry_run = flags.folder(args.dry_run, "--dry-run")
    try:
        with job_lock(options.home, "send"):
            result = send_briefing(options, date, to=args.to, dry_run=dry_run, retry_refused=args.retry_refused,
                                   progress=progress(args, "recipients"))
    finally:
        if made and dry_run is not None and not any(dry_run.iterdir()):
            dry_run.rmdir()  # a send that stopped before writing leaves no empty outbox behind
    if result.ok:
        say(args, result.summary())
    else:  # who did not get it is an error: said even with -q, then on standard error
        print(result.summary(), file=sys.stderr if quiet(args) else sys.stdout)
    return 0 if result.ok else 1


def cmd_subscribers(args) -> int:
    from delivery.manage import run_subscribers
    return run_subscribers(load(light=True), args.subscribers_command, getattr(args, "addresses", None),
                           getattr(args, "file", None), getattr(args, "state", None),
                           out=print if args.subscribers_command in ("list", "export") else partial(say, args))


def cmd_bounces(args) -> int:
    from delivery.manage import run_bounces
    return run_bounces(load(light=True), args.path, out=partial(say, args))


def cmd_schedule(args) -> int:
    from delivery.schedule import run_schedule
    return run_schedule(load())


