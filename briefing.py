#!/usr/bin/env python3
"""briefing: a daily diplomacy briefing from news feeds and stored article pages.

The command line only: it parses options, checks every argument where it enters, hands
each command to its module in ``cli/`` (which loads the configuration once and calls the
jobs), and turns every error into a one-line message and an exit code in one place
(``main``):

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

from cli.output import quiet as _quiet
from core import flags
from core.errors import BriefingError, StoreError

log = logging.getLogger("briefing")

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
    "subscribers add": "briefing.py subscribers add '\"Smith, Ann\" <ann@example.org>' bo@example.org",
    "subscribers remove": "briefing.py subscribers remove bo@example.org",
    "subscribers list": "briefing.py subscribers list --state bounced",
    "subscribers import": "briefing.py subscribers import ~/Downloads/readers.csv",
    "subscribers export": "briefing.py subscribers export readers.csv",
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


class _Version(argparse.Action):
    """--version, looked up only when asked for (importlib.metadata is slow to load)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"briefing {version()}")
        parser.exit()


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
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
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
    a = command("subscribers add", "make addresses active subscribers (again after a bounce; not after an unsubscribe or complaint)", ssub)
    a.add_argument("addresses", nargs="+", metavar="ADDRESS",
                   help="an address, with a display name if you like: '\"Smith, Ann\" <ann@example.org>'")
    r = command("subscribers remove", "unsubscribe addresses (they get no briefing until added again)", ssub)
    r.add_argument("addresses", nargs="+", metavar="ADDRESS", help="an address on the list")
    li = command("subscribers list", "list the subscribers and their state", ssub)
    li.add_argument("--state", choices=["pending", "active", "unsubscribed", "bounced", "complained"],
                    help="only the addresses in this state")
    i = command("subscribers import", "add the addresses of a CSV file (an email column, optionally name)", ssub)
    i.add_argument("file", type=Path, metavar="FILE.csv",
                   help="a CSV file with a header naming an email column (and optionally name), or no header")
    e = command("subscribers export", "write the subscribers as CSV (to standard output, or FILE)", ssub)
    e.add_argument("file", nargs="?", type=Path, metavar="FILE",
                   help="where to write the CSV (default: standard output)")

    p = command("bounces", "mark bounced and complaining addresses from a maildir, mbox or .eml file")
    p.add_argument("path", type=Path, metavar="PATH",
                   help="where the bounce reports are: a maildir folder (with cur/ and new/), an mbox file, "
                        "or one .eml message")


    p = command("archive", "list the archived briefings, or remove one (the site and search follow)")
    asub = p.add_subparsers(dest="archive_command", metavar="ACTION", required=True)
    command("archive list", "list every archived briefing: date, stories, when it was made", asub)
    r = command("archive remove", "remove one day's briefing from the archive, the site and the search index", asub)
    r.add_argument("date", metavar="YYYY-MM-DD", help="the date of the briefing to remove (see `archive list`)")
    return parser


# Where each command is run: its module is imported when the command is, so that listing,
# searching or sending never loads what only building needs (scikit-learn, nltk: seconds).
COMMANDS = {
    "init": "cli.articles:cmd_init", "feeds": "cli.articles:cmd_feeds", "fetch": "cli.articles:cmd_fetch",
    "import": "cli.articles:cmd_import", "build": "cli.articles:cmd_build", "run": "cli.articles:cmd_run",
    "demo": "cli.articles:cmd_demo", "send": "cli.mail:cmd_send", "schedule": "cli.mail:cmd_schedule",
    "subscribers": "cli.mail:cmd_subscribers", "bounces": "cli.mail:cmd_bounces",
    "search": "cli.archive:cmd_search", "serve": "cli.archive:cmd_serve", "archive": "cli.archive:cmd_archive",
}


def command_function(name: str):
    """The function that runs a command (its module imported now)."""
    import importlib
    module, _, function = COMMANDS[name].partition(":")
    return getattr(importlib.import_module(module), function)


# ---------------------------------------------------------------- the one place errors become messages

# Project loggers whose messages the command line shows at the default level; other
# libraries' (trafilatura's "ERROR empty HTML tree", httpx's requests) only with -vv.
OWN_LOGGERS = ("briefing", "cli", "core", "jobs", "feeds", "summarize", "templates", "archive", "delivery", "bench")
# Log lines that repeat what the job's result reports (each failed feed is printed once, by
# _report_failed): shown with -v only.
REPORTED_BY_JOB = {("feeds.fetch", "%s"), ("jobs.building", "site %s not updated: %s")}


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
        code = command_function(args.command)(args)
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
