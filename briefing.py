#!/usr/bin/env python3
"""briefing: a daily diplomacy briefing from news feeds and stored article pages.

The command line only: it parses options, loads the configuration once, calls the
jobs, and turns user-fixable errors into a one-line message and exit code 1.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from core.errors import BriefingError, ConfigError

log = logging.getLogger("briefing")

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"

EXAMPLES = {
    "init": "briefing.py init",
    "feeds": "briefing.py feeds add https://news.un.org/feed/subscribe/en/news/all/rss.xml --name 'UN News'",
    "fetch": "briefing.py fetch",
    "import": "briefing.py import ~/saved-pages/ extra-article.html",
    "build": "briefing.py build --date 2025-06-24 --out ./today",
    "run": "briefing.py run --send",
    "demo": "briefing.py demo",
    "send": "briefing.py send --dry-run ./outbox",
    "schedule": "briefing.py schedule",
    "search": "briefing.py search ceasefire talks --from 2025-06-01",
    "serve": "briefing.py serve --port 8000",
    "subscribers": "briefing.py subscribers add '\"Smith, Ann\" <ann@example.org>'",
    "bounces": "briefing.py bounces ~/Maildir/.Bounces",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing.py",
        description="A daily diplomacy briefing: feeds and stored articles in, one grouped, summarised email out.",
        epilog="Data lives in $BRIEFING_HOME (default ~/.local/share/briefing). Example: python briefing.py demo",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="say more (-vv for debugging)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, epilog=f"Example: {EXAMPLES[name]}")

    p = command("init", "write a starter config with public diplomacy feeds into $BRIEFING_HOME")
    p.add_argument("--force", action="store_true", help="replace an existing config")

    p = command("feeds", "list, add, remove, import or export the feeds")
    fsub = p.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    fsub.add_parser("list", help="list the configured feeds and their last fetch")
    a = fsub.add_parser("add", help="add a feed")
    a.add_argument("url")
    a.add_argument("--name", default="", help="the outlet name to show (default: the feed's URL)")
    a.add_argument("--no-pages", action="store_true", help="never fetch linked pages for teaser-only entries")
    r = fsub.add_parser("remove", help="remove a feed")
    r.add_argument("url")
    r = fsub.add_parser("resume", help="fetch a paused (410 Gone) or backed-off feed again at the next run")
    r.add_argument("url")
    i = fsub.add_parser("import", help="add the feeds of an OPML file")
    i.add_argument("opml", type=Path)
    e = fsub.add_parser("export", help="write the feeds as OPML (to standard output, or FILE)")
    e.add_argument("file", nargs="?", type=Path)

    command("fetch", "fetch every feed and store the new articles")

    p = command("import", "import stored article files and folders (.txt, .html, .json, .jsonl)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--outlet", metavar="NAME",
                   help="the outlet that published these files (default: read from each page)")

    def build_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--date", help="the briefing's date, YYYY-MM-DD (default: today)")
        p.add_argument("--since", type=float, metavar="HOURS",
                       help="cover articles published in the last HOURS (default: since the previous briefing)")
        p.add_argument("--out", type=Path, metavar="DIR",
                       help="also write briefing.html, briefing.txt and briefing.json into DIR")

    p = command("build", "build the day's briefing from stored articles and archive it")
    build_flags(p)
    p = command("run", "fetch, then build (and with --send, send)")
    build_flags(p)
    p.add_argument("--send", action="store_true", help="send the briefing by email afterwards")

    p = command("demo", "build a briefing from the sample corpus bundled with the project")
    p.add_argument("--home", type=Path, default=Path("briefing-demo"),
                   help="data directory for the demo (default: ./briefing-demo)")

    p = command("send", "email the day's briefing to every recipient who has not had it")
    p.add_argument("--date", help="the briefing's date, YYYY-MM-DD (default: today)")
    p.add_argument("--to", metavar="ADDRESS", help="send one test copy to ADDRESS, without recording it")
    p.add_argument("--dry-run", type=Path, metavar="DIR", help="write .eml files into DIR instead of sending")
    p.add_argument("--retry-refused", action="store_true",
                   help="also try again recipients whose server refused permanently (5xx) earlier")

    command("schedule", "run fetch, build and send every day at the configured time")

    p = command("search", "search every past briefing by words and dates; prints each story's permalink")
    p.add_argument("query", nargs="*", metavar="WORD", help="words the story must contain (all of them)")
    p.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="only briefings from this date on")
    p.add_argument("--to", dest="until", metavar="YYYY-MM-DD", help="only briefings up to this date")
    p.add_argument("--limit", type=int, default=20, help="at most this many stories (default 20)")

    p = command("serve", "serve the archive site and its search page to a browser")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")

    p = command("subscribers", "add, remove, list, import or export the subscribers")
    ssub = p.add_subparsers(dest="subscribers_command", metavar="ACTION", required=True)
    a = ssub.add_parser("add", help="make addresses active subscribers (again, after an unsubscribe or bounce)")
    a.add_argument("addresses", nargs="+", metavar="ADDRESS")
    r = ssub.add_parser("remove", help="unsubscribe addresses")
    r.add_argument("addresses", nargs="+", metavar="ADDRESS")
    li = ssub.add_parser("list", help="list the subscribers and their state")
    li.add_argument("--state", choices=["pending", "active", "unsubscribed", "bounced", "complained"])
    i = ssub.add_parser("import", help="add the addresses of a CSV file (an email column, optionally name)")
    i.add_argument("file", type=Path, metavar="FILE.csv")
    e = ssub.add_parser("export", help="write the subscribers as CSV (to standard output, or FILE)")
    e.add_argument("file", nargs="?", type=Path)

    p = command("bounces", "mark bounced and complaining addresses from a maildir, mbox or .eml file")
    p.add_argument("path", type=Path, metavar="PATH")
    return parser


def _progress(label: str):
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{label} {done}/{total}", end=end, file=sys.stderr, flush=True)
    return show


def _report_problems(problems) -> None:
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)


def _closing(options, fetched=None, imported=None, built=None) -> str:
    parts = []
    if fetched is not None:
        held = f", {len(fetched.skipped)} skipped (paused or waiting)" if fetched.skipped else ""
        parts.append(f"feeds: {fetched.ok + fetched.not_modified} ok, {len(fetched.failed)} failed{held}")
        parts.append(f"{fetched.new_articles} new articles")
    if imported is not None:
        parts.append(f"files: {imported.files} read, {len(imported.problems)} skipped")
        parts.append(f"{imported.new_articles} new articles")
        if imported.undated:
            parts.append(f"{imported.undated} with no date in their content (shown undated)")
    if built is not None:
        n = len(built.briefing.stories)
        parts.append(f"{n} {'story' if n == 1 else 'stories'}" + (" (kept: nothing new)" if built.kept else ""))
        parts.append(f"briefing: {(built.folder / 'briefing.html')}")
        parts.append(f"archive site: {options.site_dir / 'index.html'}")
        if built.out:
            parts.append(f"also in {built.out}")
    return " · ".join(parts)


def _load(overrides=None, home=None):
    from core.options import load_options
    return load_options(overrides=overrides, home=home)


def cmd_init(args) -> int:
    from core.options import home_dir
    from core.starter import STARTER_CONFIG
    home = home_dir()
    path = home / "config.toml"
    if path.exists() and not args.force:
        raise ConfigError(f"{path} already exists; use --force to replace it")
    home.mkdir(parents=True, exist_ok=True)
    path.write_text(STARTER_CONFIG, encoding="utf-8")
    options = _load()
    print(f"wrote {path} with {len(options.feeds)} feeds; next: python briefing.py run")
    return 0


def cmd_feeds(args) -> int:
    from feeds.feedlist import add_feeds, remove_feed
    from feeds.opml import read_opml, write_opml
    options = _load()
    action = args.feeds_command
    if action == "list":
        from core.jobs import open_store
        store = open_store(options)
        try:
            states = store.feed_states()
        finally:
            store.close()
        if not options.feeds:
            print(f"no feeds in {options.config_path}; add one with: briefing.py feeds add URL")
        for spec in options.feeds:
            state = states.get(spec.url)
            last = "never fetched" if state is None else (
                f"last {state['last_status']} {state['last_fetched']}"
                + (f" ({state['last_error']})" if state["last_error"] else ""))
            if state is not None and state["paused"]:
                last += f"; paused ({state['paused']}): briefing.py feeds resume {spec.url}"
            elif state is not None and state["next_attempt"]:
                last += f"; next try after {state['next_attempt']}"
            print(f"{spec.name or spec.url}\n  {spec.url}\n  {last}")
    elif action == "add":
        added = add_feeds(options.config_path, [(args.url, args.name, not args.no_pages)])
        print(f"added {args.url}" if added else f"{args.url} is already in the feed list")
    elif action == "remove":
        if not remove_feed(options.config_path, args.url):
            raise ConfigError(f"{args.url} is not in the feed list of {options.config_path}")
        print(f"removed {args.url}")
    elif action == "resume":
        from core.jobs import open_store
        store = open_store(options)
        try:
            resumed = store.resume_feed(args.url)
        finally:
            store.close()
        print(f"{args.url} will be fetched at the next run" if resumed else f"{args.url} was not held back")
    elif action == "import":
        try:
            data = args.opml.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{args.opml}: cannot read: {exc.strerror or exc}") from None
        specs = read_opml(data)
        added = add_feeds(options.config_path, [(s.url, s.name, s.fetch_pages) for s in specs])
        print(f"added {len(added)} of {len(specs)} feeds from {args.opml}")
    elif action == "export":
        text = write_opml(options.feeds)
        if args.file:
            args.file.write_text(text, encoding="utf-8")
            print(f"wrote {len(options.feeds)} feeds to {args.file}")
        else:
            sys.stdout.write(text)
    return 0


def cmd_fetch(args) -> int:
    from core.jobs import fetch
    from core.lock import job_lock
    options = _load()
    _warn_no_feeds(options)
    with job_lock(options.home, "fetch"):
        report = fetch(options, progress=_progress("feeds"))
    _report_failed(report)
    print(_closing(options, fetched=report))
    return 1 if options.feeds and len(report.failed) == len(options.feeds) else 0


def _warn_no_feeds(options) -> None:
    if not options.feeds:
        print(f"warning: no feeds in {options.config_path}; add one with `briefing.py feeds add URL`"
              " or write a starter list with `briefing.py init`", file=sys.stderr)


def _report_failed(report) -> None:
    for url, why in report.failed:
        print(f"warning: feed {url}: {why}", file=sys.stderr)
    for url, why in report.skipped:
        print(f"note: feed {url} skipped, {why}", file=sys.stderr)
    for old, new in report.moved:
        print(f"note: feed {old} moved permanently; the feed list now has {new}", file=sys.stderr)
    _report_problems(report.problems)


def cmd_import(args) -> int:
    from core.jobs import import_files
    from core.lock import job_lock
    options = _load()
    with job_lock(options.home, "import"):
        result = import_files(options, args.paths, outlet=args.outlet)
    _report_problems(result.problems)
    print(_closing(options, imported=result))
    return 1 if result.files and not result.new_articles and not result.seen_before else 0


def _build(options, args):
    from core.jobs import build
    date = args.date
    if date:
        import datetime as dt
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise ConfigError(f"--date {date!r} is not a date in the form YYYY-MM-DD") from None
    if args.since is not None and args.since <= 0:
        raise ConfigError("--since must be a positive number of hours")
    return build(options, date=date, since_hours=args.since, out=args.out)


def cmd_build(args) -> int:
    from core.lock import job_lock
    options = _load()
    with job_lock(options.home, "build"):
        built = _build(options, args)
    _report_problems(built.problems)
    print(_closing(options, built=built))
    return 0


def cmd_run(args) -> int:
    from core.jobs import fetch
    from core.lock import job_lock
    options = _load()
    _warn_no_feeds(options)
    with job_lock(options.home, "run"):
        report = fetch(options, progress=_progress("feeds"))
        _report_failed(report)
        built = None
        if args.out is None:
            from core.jobs import current_briefing
            built = current_briefing(options, args.date, args.since)
        built = built or _build(options, args)
        sent = None
        if args.send:
            from delivery.send import send_briefing
            sent = send_briefing(options, built.briefing.date, progress=_progress("recipients"))
    _report_problems(built.problems)
    print(_closing(options, fetched=report, built=built))
    if sent is not None:
        print(sent.summary())
        return 0 if sent.ok else 1
    return 0


def cmd_demo(args) -> int:
    from zoneinfo import ZoneInfo

    from core.jobs import articles_of, build, import_files
    from core.lock import job_lock
    home = args.home.resolve()
    options = _load(home=home)
    options = _with_sample_outlets(options)
    with job_lock(options.home, "demo"):
        imported = import_files(options, [SAMPLE_DIR])
        # The sample is a day of news from June 2025: brief on that day, not on today.
        latest = max(a.published for a in articles_of(options))
        day = latest.astimezone(ZoneInfo(options.briefing.timezone)).strftime("%Y-%m-%d")
        built = build(options, date=day, out=home / "out")
    _report_problems(imported.problems + built.problems)
    print(_closing(options, imported=imported, built=built))
    print(f"open {home / 'out' / 'briefing.html'} in a browser (plain text: {home / 'out' / 'briefing.txt'})")
    return 0


def _with_sample_outlets(options):
    """The options with the sample corpus's fictional outlets added, as [[outlets]] in a config would."""
    import dataclasses
    import tomllib

    from feeds.outlets import outlet_entries
    path = SAMPLE_DIR / "outlets.toml"
    with open(path, "rb") as fh:
        extra = outlet_entries(tomllib.load(fh).get("outlets"), path)
    return dataclasses.replace(options, outlets=tuple(options.outlets) + extra)


def cmd_send(args) -> int:
    from core.lock import job_lock
    from delivery.send import send_briefing
    options = _load()
    with job_lock(options.home, "send"):
        result = send_briefing(options, args.date, to=args.to, dry_run=args.dry_run,
                               retry_refused=args.retry_refused, progress=_progress("recipients"))
    print(result.summary())
    return 0 if result.ok else 1


def cmd_subscribers(args) -> int:
    from delivery.manage import run_subscribers
    return run_subscribers(_load(), args.subscribers_command, getattr(args, "addresses", None),
                           getattr(args, "file", None), getattr(args, "state", None))


def cmd_bounces(args) -> int:
    from delivery.manage import run_bounces
    return run_bounces(_load(), args.path)


def cmd_schedule(args) -> int:
    from delivery.schedule import run_schedule
    return run_schedule(_load())


def _printable(text: str) -> str:
    """Feed text made safe for a terminal: control characters (escape sequences) become spaces."""
    return " ".join("".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch for ch in text).split())


def cmd_search(args) -> int:
    from archive.search import open_index, search
    from archive.site import story_path, story_url
    options = _load()
    words = " ".join(args.query)
    if not words.strip() and not (args.since or args.until):
        raise BriefingError("give words to search for, or a date range with --from/--to")
    conn = open_index(options.db_path, options.archive_dir)
    try:
        results = search(conn, words, args.since, args.until, limit=args.limit)
    finally:
        conn.close()
    base = options.briefing.base_url
    for r in results:
        link = story_url(base, r.story_id, r.date) or str(options.site_dir / story_path(r.story_id, r.date))
        snippet = _printable("".join(text for text, _ in r.snippet))
        print(f"{r.date}  {_printable(r.headline)}\n            {_printable(r.outlets)}\n            {link}")
        if snippet:
            print(f"            {snippet}")
    n = len(results)
    print(f"{n} {'story' if n == 1 else 'stories'} found")
    return 0


def cmd_serve(args) -> int:
    from archive.search import open_index
    from archive.server import SiteServer, database_search
    from core.jobs import update_site
    from delivery.signup import Signup
    options = _load()
    open_index(options.db_path, options.archive_dir).close()
    if not (options.site_dir / "index.html").exists():
        update_site(options)
    try:
        server = SiteServer(options.site_dir, database_search(options.db_path), args.host, args.port,
                            options.briefing.title, signup=Signup(options))
    except OSError as exc:
        raise BriefingError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; "
                            "choose another --port") from None
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: the archive is open to other machines", file=sys.stderr)
    print(f"serving {options.site_dir} at {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


COMMANDS = {
    "init": cmd_init, "feeds": cmd_feeds, "fetch": cmd_fetch, "import": cmd_import, "build": cmd_build,
    "run": cmd_run, "demo": cmd_demo, "send": cmd_send, "schedule": cmd_schedule,
    "search": cmd_search, "serve": cmd_serve, "subscribers": cmd_subscribers, "bounces": cmd_bounces,
}


def main(argv: list[str] | None = None) -> int:
    """Run one command; user-fixable errors become one line on stderr and exit code 1."""
    args = _parser().parse_args(argv)
    level = logging.WARNING - 10 * args.verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    try:
        return COMMANDS[args.command](args)
    except BriefingError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
