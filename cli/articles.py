"""Commands that bring articles in and make briefings: init, feeds, fetch, import, build, run, demo."""
from __future__ import annotations

import sys
from pathlib import Path

from core import flags
from core.errors import BriefingError, InputError, UsageError
from cli.output import closing, in_feed_list, load, progress, report_problems, say, warn

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample"


def cmd_init(args) -> int:
    from core.options import check_home, home_dir, home_origin
    from core.starter import STARTER_CONFIG
    home = check_home(home_dir(), home_origin())
    path = home / "config.toml"
    if path.exists() and not args.force:
        raise BriefingError(f"{path} already exists", hint="use --force to replace it")
    path.write_text(STARTER_CONFIG, encoding="utf-8")
    options = load()
    say(args, f"wrote {path} with {len(options.feeds)} feeds; next: python briefing.py run")
    return 0


def cmd_feeds(args) -> int:
    action = args.feeds_command
    handler = {"list": _feeds_list, "add": _feeds_add, "remove": _feeds_remove, "resume": _feeds_resume,
               "import": _feeds_import, "export": _feeds_export}[action]
    return handler(args)


def _feeds_list(args) -> int:
    from jobs import open_store
    options = load(light=True)
    store = open_store(options)
    try:
        states = store.feed_states()
    finally:
        store.close()
    if not options.feeds:
        if not options.config_path.exists():
            warn(args, f"there is no config file yet ({options.config_path}); write one with a starter list "
                       "of public diplomacy feeds with: briefing.py init (or add one feed: briefing.py feeds add URL)",
                 "note")
        else:
            warn(args, f"no feeds in {options.config_path}; add one with: briefing.py feeds add URL", "note")
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
    options = load(light=True)
    added = add_feeds(options.config_path, [(url, name, not args.no_pages)])
    say(args, f"added {url}" if added else f"{url} is already in the feed list")
    return 0


def _feeds_remove(args) -> int:
    from feeds.feedlist import remove_feed
    url = flags.feed_address(args.url)
    options = load(light=True)
    if not remove_feed(options.config_path, url):
        raise BriefingError(f"{args.url} is not in the feed list of {options.config_path}",
                            hint="briefing.py feeds list shows the feeds and their addresses")
    say(args, f"removed {args.url}")
    return 0


def _feeds_resume(args) -> int:
    from jobs import open_store
    url = flags.feed_address(args.url)
    options = load(light=True)
    spec = in_feed_list(options, url)
    if spec is None:
        raise BriefingError(f"{args.url} is not in the feed list of {options.config_path}",
                            hint="briefing.py feeds list shows the feeds and their addresses")
    store = open_store(options)
    try:
        resumed = store.resume_feed(spec.url)
    finally:
        store.close()
    say(args, f"{spec.url} will be fetched at the next run" if resumed
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
    options = load(light=True)
    for problem in found.problems:
        warn(args, f"{args.opml}: {problem}")
    added = add_feeds(options.config_path, [(s.url, s.name, s.fetch_pages) for s in found.feeds])
    skipped = f", {len(found.problems)} outline(s) could not be used" if found.problems else ""
    say(args, f"added {len(added)} of {len(found.feeds)} feeds from {args.opml}{skipped}")
    if found.problems and not found.feeds:
        return 1
    return 0


def _feeds_export(args) -> int:
    from feeds.opml import write_opml
    options = load(light=True)
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
    say(args, f"wrote {len(options.feeds)} feeds to {target}")
    return 0


def cmd_fetch(args) -> int:
    from jobs import fetch
    from core.lock import job_lock
    options = load()
    _warn_no_feeds(args, options)
    with job_lock(options.home, "fetch"):
        report = fetch(options, progress=progress(args, "feeds"))
    _report_failed(args, report)
    say(args, closing(options, fetched=report))
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
        warn(args, f"no feeds in {options.config_path}; add one with `briefing.py feeds add URL`"
                    " or write a starter list with `briefing.py init`")


def _report_failed(args, report) -> None:
    for url, why in report.failed:
        # The error already starts with the feed's address; say it once.
        warn(args, f"feed {why}" if why.startswith(url) else f"feed {url}: {why}")
    for url, why in report.skipped:
        warn(args, f"feed {url} skipped, {why}", "note")
    for old, new in report.moved:
        warn(args, f"feed {old} moved permanently; the feed list now has {new}", "note")
    report_problems(args, report.problems)


def cmd_import(args) -> int:
    from jobs import import_files
    from core.lock import job_lock
    if any(not raw.strip() for raw in args.paths):
        raise UsageError("PATH is empty; give article files or folders", hint="see --help for import")
    options = load()
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
    # A file named on the command line that gave nothing is an error; one inside a folder, or one
    # bad record of a JSON Lines file ("day.jsonl:7: ..."), is a warning: the rest is stored.
    named = {f"{Path(raw)}: " for raw in present if Path(raw).is_file()}
    failed = 0
    for problem in result.problems:
        if any(problem.startswith(prefix) for prefix in named):
            print(f"error: {problem}", file=sys.stderr)
            failed += 1
        else:
            warn(args, problem)
    say(args, closing(options, imported=result))
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
    from jobs import build
    from core.lock import job_lock
    options = load()
    flags = _build_args(args, options)
    with job_lock(options.home, "build"):
        built = build(options, **flags)
    report_problems(args, built.problems)
    say(args, closing(options, built=built))
    return 0


def cmd_run(args) -> int:
    from jobs import build, current_briefing, fetch
    from core.lock import job_lock
    options = load()
    flags = _build_args(args, options)
    _warn_no_feeds(args, options)
    with job_lock(options.home, "run"):
        report = fetch(options, progress=progress(args, "feeds"))
        _report_failed(args, report)
        built = None
        if flags["out"] is None:
            built = current_briefing(options, flags["date"], flags["since_hours"])
        built = built or build(options, **flags)
        sent = None
        if args.send:
            from delivery.send import send_briefing
            sent = send_briefing(options, built.briefing.date, progress=progress(args, "recipients"))
    report_problems(args, built.problems)
    say(args, closing(options, fetched=report, built=built))
    code = _fetch_code(report)
    if sent is not None:
        say(args, sent.summary())
        code = code or (0 if sent.ok else 1)
    return code


def cmd_demo(args) -> int:
    from zoneinfo import ZoneInfo

    from jobs import articles_of, build, import_files
    from core.lock import job_lock
    if not args.home.strip():
        raise UsageError("--home is empty; give a folder for the demo's data", hint="see --help for --home")
    options = load(home=Path(args.home).expanduser().resolve())
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
    report_problems(args, imported.problems + built.problems)
    say(args, closing(options, imported=imported, built=built))
    say(args, f"open {home / 'out' / 'briefing.html'} in a browser (plain text: {home / 'out' / 'briefing.txt'})")
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


