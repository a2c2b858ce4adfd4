#!/usr/bin/env python3
"""briefing: a daily diplomacy briefing from news feeds and stored article pages.

The command line only: it parses options, checks every argument where it enters, loads
the configuration once, calls the jobs, and turns every error into a one-line message and
an exit code in one place (``main``):

    0  all done (a feed or a file among several that could not be used is a warning)
    1  something failed and was reported
    2  usage: the command line itself is wrong (unknown command, bad or missing argument)
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from core import flags
from core.errors import ArchiveError, BriefingError, InputError, StoreError, UsageError

log = logging.getLogger("briefing")

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"

EXAMPLES = {
    "init": "briefing.py init",
    "feeds": "briefing.py feeds add https://news.un.org/feed/subscribe/en/news/all/rss.xml --name 'UN News'",
    "feeds list": "briefing.py feeds list | less",
    "feeds add": "briefing.py feeds add https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml --name NATO",
    "feeds remove": "briefing.py feeds remove https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml",
    "feeds resume": "briefing.py feeds resume https://feeds.npr.org/1004/rss.xml",
    "feeds import": "briefing.py feeds import ~/Downloads/subscriptions.opml",
    "feeds export": "briefing.py feeds export ~/feeds.opml",
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
    "archive": "briefing.py archive remove 2999-01-01",
    "archive list": "briefing.py archive list",
    "archive remove": "briefing.py archive remove 2999-01-01",
}

def version() -> str:
    """The installed version, else the one in pyproject.toml beside this file."""
    try:
        from importlib.metadata import PackageNotFoundError, version as installed
        return installed("briefing")
    except PackageNotFoundError:
        import tomllib
        try:
            with open(Path(__file__).resolve().parent / "pyproject.toml", "rb") as fh:
                return tomllib.load(fh)["project"]["version"]
        except (OSError, KeyError, ValueError):
            return "unknown"


def _common() -> argparse.ArgumentParser:
    # -v/-q are accepted before and after the command; SUPPRESS keeps a command's parser from
    # resetting what was given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="say more: -v progress of each stage, -vv debugging and the traceback of an error")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="print only errors (and what the command was asked to list)")
    return common


def _parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="briefing.py",
        description="A daily diplomacy briefing: feeds and stored articles in, one grouped, summarised email out.",
        epilog="Data lives in $BRIEFING_HOME (default ~/.local/share/briefing). Exit codes: 0 all done, "
               "1 something failed and was reported, 2 usage. Example: briefing.py demo",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="say more: -v progress of each stage, -vv debugging and the traceback of an error")
    parser.add_argument("-q", "--quiet", action="store_true", default=False,
                        help="print only errors (and what the command was asked to list)")
    parser.add_argument("--version", action="version", version=f"briefing {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str, within=sub) -> argparse.ArgumentParser:
        return within.add_parser(name.split()[-1], help=help, description=help, parents=[common],
                                 epilog=f"Example: {EXAMPLES[name]}")

    p = command("init", "write a starter config with public diplomacy feeds into $BRIEFING_HOME")
    p.add_argument("--force", action="store_true", help="replace an existing config")

    p = command("feeds", "list, add, remove, resume, import or export the feeds")
    fsub = p.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    command("feeds list", "list the configured feeds and their last fetch", fsub)
    a = command("feeds add", "add a feed to the feed list in config.toml", fsub)
    a.add_argument("url", metavar="URL", help="the feed's address (http or https; feed:// is converted)")
    a.add_argument("--name", default="", help="the outlet name to show (default: the feed's URL)")
    a.add_argument("--no-pages", action="store_true", help="never fetch linked pages for teaser-only entries")
    r = command("feeds remove", "remove a feed from the feed list", fsub)
    r.add_argument("url", metavar="URL", help="the feed's address as `feeds list` shows it")
    r = command("feeds resume", "fetch a paused (410 Gone) or backed-off feed again at the next run", fsub)
    r.add_argument("url", metavar="URL", help="the feed's address as `feeds list` shows it")
    i = command("feeds import", "add the feeds of an OPML file (exported from a feed reader)", fsub)
    i.add_argument("opml", type=Path, metavar="FILE.opml", help="the OPML file to read")
    e = command("feeds export", "write the feeds as OPML (to standard output, or FILE)", fsub)
    e.add_argument("file", nargs="?", type=Path, metavar="FILE",
                   help="where to write the OPML (default: standard output); its folder must exist")

    command("fetch", "fetch every feed and store the new articles")

    p = command("import", "import stored article files and folders (.txt, .html, .json, .jsonl)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="article files, or folders searched for them")
    p.add_argument("--outlet", metavar="NAME",
                   help="the outlet that published these files (default: read from each page)")

    def build_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--date", help="the briefing's date, YYYY-MM-DD (default: today); "
                                      f"from {flags.EARLIEST} to tomorrow unless --force")
        p.add_argument("--since", metavar="HOURS",
                       help="cover articles published in the last HOURS (default: since the previous briefing); "
                            f"at most {flags.MAX_SINCE_HOURS} unless --force")
        p.add_argument("--out", metavar="DIR",
                       help="also write briefing.html, briefing.txt and briefing.json into DIR (a folder)")
        p.add_argument("--force", action="store_true",
                       help="accept a date outside the usual range or a window longer than a month")

    p = command("build", "build the day's briefing from stored articles and archive it")
    build_flags(p)
    p = command("run", "fetch, then build (and with --send, send)")
    build_flags(p)
    p.add_argument("--send", action="store_true", help="send the briefing by email afterwards")

    p = command("demo", "build a briefing from the sample corpus bundled with the project")
    p.add_argument("--home", default="briefing-demo",
                   help="data directory for the demo (default: ./briefing-demo)")

    p = command("send", "email the day's briefing to every recipient who has not had it")
    p.add_argument("--date", help="the briefing's date, YYYY-MM-DD (default: today)")
    p.add_argument("--to", metavar="ADDRESS", help="send one test copy to ADDRESS, without recording it")
    p.add_argument("--dry-run", metavar="DIR", help="write .eml files into DIR instead of sending")
    p.add_argument("--retry-refused", action="store_true",
                   help="also try again recipients whose server refused permanently (5xx) earlier")

    command("schedule", "run fetch, build and send every day at the configured time")

    p = command("search", "search every past briefing by words and dates; prints each story's permalink")
    p.add_argument("query", nargs="*", metavar="WORD", help="words the story must contain (all of them)")
    p.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="only briefings from this date on")
    p.add_argument("--to", dest="until", metavar="YYYY-MM-DD", help="only briefings up to this date")
    p.add_argument("--limit", default="20", metavar="N", help="at most this many stories, 1 to 500 (default 20)")

    p = command("serve", "serve the archive site and its search page to a browser")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", default="8000", metavar="PORT", help="port to listen on, 1 to 65535, or 0 for any free one (default 8000)")

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


    p = command("archive", "list the archived briefings, or remove one (the site and search follow)")
    asub = p.add_subparsers(dest="archive_command", metavar="ACTION", required=True)
    command("archive list", "list every archived briefing: date, stories, when it was made", asub)
    r = command("archive remove", "remove one day's briefing from the archive, the site and the search index", asub)
    r.add_argument("date", metavar="YYYY-MM-DD", help="the date of the briefing to remove (see `archive list`)")
    return parser


# ---------------------------------------------------------------- output

def _quiet(args) -> bool:
    return bool(getattr(args, "quiet", False))


def _say(args, text: str) -> None:
    """A line of the command's report on standard output (left out with -q)."""
    if not _quiet(args):
        print(text)


def _warn(args, text: str, kind: str = "warning") -> None:
    """A warning or note on standard error (left out with -q)."""
    if not _quiet(args):
        print(f"{kind}: {text}", file=sys.stderr)


def _progress(args, label: str):
    if _quiet(args) or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{label} {done}/{total}", end=end, file=sys.stderr, flush=True)
    return show


def _report_problems(args, problems) -> None:
    for problem in problems:
        _warn(args, problem)


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


# ---------------------------------------------------------------- arguments checked where they enter

def _load(overrides=None, home=None):
    """The options, with the data directory checked: it must be a folder that can be written."""
    from core.errors import Origin
    from core.options import check_home, home_dir, home_origin, load_options
    if home is None:
        home = check_home(home_dir(), home_origin())
    else:
        home = check_home(home, Origin("flag", "--home"))
    return load_options(overrides=overrides, home=home)


def _in_feed_list(options, url: str):
    from feeds.urls import canonical_url
    target = canonical_url(url)
    return next((spec for spec in options.feeds if canonical_url(spec.url) == target), None)


# ---------------------------------------------------------------- commands

def cmd_init(args) -> int:
    from core.options import check_home, home_dir, home_origin
    from core.starter import STARTER_CONFIG
    home = check_home(home_dir(), home_origin())
    path = home / "config.toml"
    if path.exists() and not args.force:
        raise BriefingError(f"{path} already exists", hint="use --force to replace it")
    path.write_text(STARTER_CONFIG, encoding="utf-8")
    options = _load()
    _say(args, f"wrote {path} with {len(options.feeds)} feeds; next: python briefing.py run")
    return 0


def cmd_feeds(args) -> int:
    action = args.feeds_command
    handler = {"list": _feeds_list, "add": _feeds_add, "remove": _feeds_remove, "resume": _feeds_resume,
               "import": _feeds_import, "export": _feeds_export}[action]
    return handler(args)


def _feeds_list(args) -> int:
    from core.jobs import open_store
    options = _load()
    store = open_store(options)
    try:
        states = store.feed_states()
    finally:
        store.close()
    if not options.feeds:
        _warn(args, f"no feeds in {options.config_path}; add one with: briefing.py feeds add URL", "note")
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
    return 0


def _feeds_add(args) -> int:
    from feeds.feedlist import add_feeds
    url = flags.feed_address(args.url)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in args.name):
        raise UsageError(f"--name {args.name!r} has control characters; give the outlet's name as plain text",
                         hint="see --help for --name")
    name = " ".join(args.name.split())
    options = _load()
    added = add_feeds(options.config_path, [(url, name, not args.no_pages)])
    _say(args, f"added {url}" if added else f"{url} is already in the feed list")
    return 0


def _feeds_remove(args) -> int:
    from feeds.feedlist import remove_feed
    url = flags.feed_address(args.url)
    options = _load()
    if not remove_feed(options.config_path, url):
        raise BriefingError(f"{args.url} is not in the feed list of {options.config_path}",
                            hint="briefing.py feeds list shows the feeds and their addresses")
    _say(args, f"removed {args.url}")
    return 0


def _feeds_resume(args) -> int:
    from core.jobs import open_store
    url = flags.feed_address(args.url)
    options = _load()
    spec = _in_feed_list(options, url)
    if spec is None:
        raise BriefingError(f"{args.url} is not in the feed list of {options.config_path}",
                            hint="briefing.py feeds list shows the feeds and their addresses")
    store = open_store(options)
    try:
        resumed = store.resume_feed(spec.url)
    finally:
        store.close()
    _say(args, f"{spec.url} will be fetched at the next run" if resumed
         else f"{spec.url} was not paused or waiting; it is fetched at every run")
    return 0


def _feeds_import(args) -> int:
    from feeds.feedlist import add_feeds
    from feeds.opml import read_opml_report
    try:
        data = args.opml.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{args.opml} is a folder; give an OPML file") from None
    except OSError as exc:
        raise InputError(f"{args.opml}: cannot read: {exc.strerror or exc}",
                         hint="check the path of the OPML file") from None
    try:
        found = read_opml_report(data)
    except InputError as exc:
        raise InputError(f"{args.opml}: {exc}", hint="export the feed list as OPML from your reader") from None
    options = _load()
    for problem in found.problems:
        _warn(args, f"{args.opml}: {problem}")
    added = add_feeds(options.config_path, [(s.url, s.name, s.fetch_pages) for s in found.feeds])
    skipped = f", {len(found.problems)} outline(s) could not be used" if found.problems else ""
    _say(args, f"added {len(added)} of {len(found.feeds)} feeds from {args.opml}{skipped}")
    if found.problems and not found.feeds:
        return 1
    return 0


def _feeds_export(args) -> int:
    from feeds.opml import write_opml
    options = _load()
    text = write_opml(options.feeds)
    if args.file is None:
        sys.stdout.write(text)
        return 0
    target = args.file
    if target.is_dir():
        raise UsageError(f"FILE {target} is a folder; give a file name such as {target / 'feeds.opml'}")
    if not target.parent.is_dir():
        raise UsageError(f"FILE {target}: the folder {target.parent} does not exist",
                         hint="create it first, or write somewhere else")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BriefingError(f"cannot write {target}: {exc.strerror or exc}",
                            hint="choose a file in a folder you can write to") from None
    _say(args, f"wrote {len(options.feeds)} feeds to {target}")
    return 0


def cmd_fetch(args) -> int:
    from core.jobs import fetch
    from core.lock import job_lock
    options = _load()
    _warn_no_feeds(args, options)
    with job_lock(options.home, "fetch"):
        report = fetch(options, progress=_progress(args, "feeds"))
    _report_failed(args, report)
    _say(args, _closing(options, fetched=report))
    return _fetch_code(report)


def _fetch_code(report) -> int:
    """1 when every feed that was due failed: nothing could be fetched. One feed down among many is a warning."""
    tried = report.ok + report.not_modified + len(report.failed)
    if tried and not report.ok and not report.not_modified:
        print(f"error: every feed failed ({len(report.failed)}); nothing was fetched", file=sys.stderr)
        return 1
    return 0


def _warn_no_feeds(args, options) -> None:
    if not options.feeds:
        _warn(args, f"no feeds in {options.config_path}; add one with `briefing.py feeds add URL`"
                    " or write a starter list with `briefing.py init`")


def _report_failed(args, report) -> None:
    for url, why in report.failed:
        # The error already starts with the feed's address; say it once.
        _warn(args, f"feed {why}" if why.startswith(url) else f"feed {url}: {why}")
    for url, why in report.skipped:
        _warn(args, f"feed {url} skipped, {why}", "note")
    for old, new in report.moved:
        _warn(args, f"feed {old} moved permanently; the feed list now has {new}", "note")
    _report_problems(args, report.problems)


def cmd_import(args) -> int:
    from core.jobs import import_files
    from core.lock import job_lock
    if any(not raw.strip() for raw in args.paths):
        raise UsageError("PATH is empty; give article files or folders", hint="see --help for import")
    options = _load()
    missing = [raw for raw in args.paths if not Path(raw).exists()]
    for raw in missing:
        print(f"error: {raw}: no such file or folder", file=sys.stderr)
    odd = [raw for raw in args.paths if raw not in missing and not (Path(raw).is_file() or Path(raw).is_dir())]
    for raw in odd:  # a device or a pipe (/dev/zero would never end)
        print(f"error: {raw}: not a file or folder", file=sys.stderr)
    missing += odd
    present = [raw for raw in args.paths if raw not in missing]
    if not present:
        return 1
    with job_lock(options.home, "import"):
        result = import_files(options, present, outlet=args.outlet)
    # A file named on the command line that gave nothing is an error; one inside a folder a warning.
    named = {f"{Path(raw)}:" for raw in present if Path(raw).is_file()}
    failed = 0
    for problem in result.problems:
        if any(problem.startswith(prefix) for prefix in named):
            print(f"error: {problem}", file=sys.stderr)
            failed += 1
        else:
            _warn(args, problem)
    _say(args, _closing(options, imported=result))
    if not failed and not result.new_articles and not result.seen_before:
        print(f"error: no article could be imported from {', '.join(present)}"
              + (" (no .txt, .html, .json or .jsonl file found)" if not result.files else ""), file=sys.stderr)
        return 1
    return 1 if missing or failed else 0


def _build_args(args, options) -> dict:
    force = getattr(args, "force", False)
    return {"date": flags.date(args.date, "--date", options, force),
            "since_hours": flags.since(args.since, force),
            "out": flags.folder(args.out, "--out")}


def cmd_build(args) -> int:
    from core.jobs import build
    from core.lock import job_lock
    options = _load()
    flags = _build_args(args, options)
    with job_lock(options.home, "build"):
        built = build(options, **flags)
    _report_problems(args, built.problems)
    _say(args, _closing(options, built=built))
    return 0


def cmd_run(args) -> int:
    from core.jobs import build, current_briefing, fetch
    from core.lock import job_lock
    options = _load()
    flags = _build_args(args, options)
    _warn_no_feeds(args, options)
    with job_lock(options.home, "run"):
        report = fetch(options, progress=_progress(args, "feeds"))
        _report_failed(args, report)
        built = None
        if flags["out"] is None:
            built = current_briefing(options, flags["date"], flags["since_hours"])
        built = built or build(options, **flags)
        sent = None
        if args.send:
            from delivery.send import send_briefing
            sent = send_briefing(options, built.briefing.date, progress=_progress(args, "recipients"))
    _report_problems(args, built.problems)
    _say(args, _closing(options, fetched=report, built=built))
    code = _fetch_code(report)
    if sent is not None:
        _say(args, sent.summary())
        code = code or (0 if sent.ok else 1)
    return code


def cmd_demo(args) -> int:
    from zoneinfo import ZoneInfo

    from core.jobs import articles_of, build, import_files
    from core.lock import job_lock
    if not args.home.strip():
        raise UsageError("--home is empty; give a folder for the demo's data", hint="see --help for --home")
    options = _load(home=Path(args.home).expanduser().resolve())
    home = options.home
    options = _with_sample_outlets(options)
    with job_lock(options.home, "demo"):
        imported = import_files(options, [SAMPLE_DIR])
        stored = articles_of(options)
        if not stored:
            raise BriefingError(f"the sample corpus in {SAMPLE_DIR} gave no article",
                                hint="reinstall briefing: the sample files are missing")
        # The sample is a day of news from June 2025: brief on that day, not on today.
        latest = max(a.published for a in stored)
        day = latest.astimezone(ZoneInfo(options.briefing.timezone)).strftime("%Y-%m-%d")
        built = build(options, date=day, out=home / "out")
    _report_problems(args, imported.problems + built.problems)
    _say(args, _closing(options, imported=imported, built=built))
    _say(args, f"open {home / 'out' / 'briefing.html'} in a browser (plain text: {home / 'out' / 'briefing.txt'})")
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
    date = flags.date(args.date, "--date")
    dry_run = flags.folder(args.dry_run, "--dry-run")
    with job_lock(options.home, "send"):
        result = send_briefing(options, date, to=args.to, dry_run=dry_run, retry_refused=args.retry_refused,
                               progress=_progress(args, "recipients"))
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
    since, until = flags.date(args.since, "--from"), flags.date(args.until, "--to")
    limit = flags.whole_number(args.limit, "--limit", 1, 500)
    if since and until and since > until:
        raise UsageError(f"--from {since} is after --to {until}; no briefing can be in between",
                         hint="swap the two dates")
    words = " ".join(args.query)
    if not words.strip() and not (since or until):
        raise UsageError("give words to search for, or a date range with --from/--to",
                         hint="e.g. briefing.py search ceasefire --from 2025-06-01")
    options = _load()
    conn = open_index(options.db_path, options.archive_dir)
    try:
        results = search(conn, words, since, until, limit=limit)
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
    _say(args, f"{n} {'story' if n == 1 else 'stories'} found")
    return 0


def cmd_serve(args) -> int:
    from archive.search import open_index
    from archive.server import SiteServer, database_search
    from core.jobs import update_site
    from delivery.signup import Signup
    port = flags.whole_number(args.port, "--port", 0, 65535)
    host = args.host.strip()
    if not host or any(ch.isspace() for ch in host):
        raise UsageError(f"--host {args.host!r} is not an address to listen on, e.g. 127.0.0.1")
    options = _load()
    open_index(options.db_path, options.archive_dir).close()
    if not (options.site_dir / "index.html").exists():
        update_site(options)
    try:
        server = SiteServer(options.site_dir, database_search(options.db_path), host, port,
                            options.briefing.title, signup=Signup(options))
    except (OSError, OverflowError, UnicodeError) as exc:
        raise BriefingError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}",
                            hint="choose another --port, or a --host address of this machine") from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        _warn(args, f"listening on {host}: the archive is open to other machines")
    print(f"serving {options.site_dir} at {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_archive(args) -> int:
    from archive.briefings import archived_briefings, remove_briefing
    from archive.search import unindex_briefing
    from core.jobs import open_store, update_site
    if args.archive_command == "remove":
        date = flags.date(args.date, "YYYY-MM-DD")
    options = _load()
    store = open_store(options)
    try:
        if args.archive_command == "list":
            found = archived_briefings(store.conn, options.archive_dir)
            if not found:
                _warn(args, f"the archive in {options.archive_dir} is empty; build one with: briefing.py build",
                      "note")
            for row in found:
                stories = "?" if row["stories"] is None else row["stories"]
                made = row["generated"] or "not recorded"
                where = row["folder"] or "folder missing"
                print(f"{row['date']}  {stories} {'story' if stories == 1 else 'stories'}  made {made}  {where}")
            return 0
        removed = remove_briefing(options.archive_dir, date, store.conn)
        if not removed:
            raise ArchiveError(f"there is no briefing of {date} in {options.archive_dir}")
        unindex_briefing(store.conn, date)
    finally:
        store.close()
    problems = update_site(options)
    _report_problems(args, problems)
    _say(args, f"removed the briefing of {date}; the archive site and search no longer list it")
    return 1 if problems else 0


COMMANDS = {
    "init": cmd_init, "feeds": cmd_feeds, "fetch": cmd_fetch, "import": cmd_import, "build": cmd_build,
    "run": cmd_run, "demo": cmd_demo, "send": cmd_send, "schedule": cmd_schedule,
    "search": cmd_search, "serve": cmd_serve, "subscribers": cmd_subscribers, "bounces": cmd_bounces,
    "archive": cmd_archive,
}


# ---------------------------------------------------------------- the one place errors become messages

# Project loggers whose messages the command line shows at the default level; other
# libraries' (trafilatura's "ERROR empty HTML tree", httpx's requests) only with -vv.
OWN_LOGGERS = ("briefing", "core", "feeds", "summarize", "templates", "archive", "delivery", "bench")
# Log lines that repeat what the job's result reports (each failed feed is printed once, by
# _report_failed): shown with -v only.
REPORTED_BY_JOB = {("feeds.fetch", "%s"), ("core.jobs", "site %s not updated: %s")}


class _Shown(logging.Filter):
    """Decides which log records reach the terminal at the chosen verbosity."""

    def __init__(self, verbose: int) -> None:
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name.split(".")[0] in OWN_LOGGERS
        if not own:
            return self.verbose >= 2
        if (record.name, record.msg) in REPORTED_BY_JOB and record.levelno < logging.ERROR:
            return self.verbose >= 1
        return True


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else max(logging.WARNING - 10 * verbose, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Shown(verbose))
    fmt = "%(levelname)s %(name)s: %(message)s" if verbose else "%(levelname)s: %(message)s"
    handler.setFormatter(_LowerLevel(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_briefing", False):
            root.removeHandler(old)
    handler._briefing = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


class _LowerLevel(logging.Formatter):
    """'warning: ...' like the command's own warnings, not 'WARNING ...'."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.levelname
        record.levelname = saved.lower()
        try:
            return super().format(record)
        finally:
            record.levelname = saved


def _quiet_stdout() -> None:
    # The reader of our output went away (`feeds list | head`): send the rest nowhere, so
    # that neither this write nor the flush at exit raises again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _unexpected(exc: BaseException, verbose: int) -> int:
    import traceback
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    detail = " ".join(str(exc).split())[:300]
    print(f"error: unexpected {type(exc).__name__}{': ' + detail if detail else ''} "
          "(rerun with -v for the traceback)", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code: 0 all done, 1 something failed and was reported, 2 usage.

    Every error becomes one line on standard error here, and only here: the project's own
    errors with their hint, file-system and database errors naming their file, anything
    else as "unexpected" with a hint to rerun with -v for the traceback.
    """
    import sqlite3

    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        if exc.code in (0, None):
            raise  # --help or --version was printed: exit as argparse does
        return 2  # argparse printed the usage error
    verbose = getattr(args, "verbose", 0) or 0
    _configure_logging(verbose, _quiet(args))
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except BriefingError as exc:
        if verbose >= 2:
            import traceback
            traceback.print_exception(exc, file=sys.stderr)
        print(f"error: {exc.message()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except sqlite3.Error as exc:
        error = StoreError(f"the database under {os.environ.get('BRIEFING_HOME') or 'the data directory'} "
                           f"cannot be used: {exc}")
        print(f"error: {error.message()}", file=sys.stderr)
        return 1
    except OSError as exc:
        if verbose:
            import traceback
            traceback.print_exception(exc, file=sys.stderr)
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error: cannot use{where}: {exc.strerror or exc} (check that the path exists and can be "
              "written; rerun with -v for the traceback)", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: one line, not a traceback, unless asked for
        return _unexpected(exc, verbose)


if __name__ == "__main__":
    sys.exit(main())
