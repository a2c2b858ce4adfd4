"""Commands over past briefings: search, serve, archive list and remove."""
from __future__ import annotations

from core import flags
from core.errors import ArchiveError, BriefingError, UsageError
from cli.output import load, printable, report_problems, say, warn


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
    options = load(light=True)
    conn = open_index(options.db_path, options.archive_dir)
    try:
        results = search(conn, words, since, until, limit=limit)
    finally:
        conn.close()
    base = options.briefing.base_url
    for r in results:
        link = story_url(base, r.story_id, r.date) or str(options.site_dir / story_path(r.story_id, r.date))
        snippet = printable("".join(text for text, _ in r.snippet))
        print(f"{r.date}  {printable(r.headline)}\n            {printable(r.outlets)}\n            {link}")
        if snippet:
            print(f"            {snippet}")
    n = len(results)
    say(args, f"{n} {'story' if n == 1 else 'stories'} found")
    return 0


def cmd_serve(args) -> int:
    from archive.search import open_index
    from archive.server import SiteServer, database_search
    from jobs import update_site
    from delivery.signup import Signup
    port = flags.whole_number(args.port, "--port", 0, 65535)
    host = args.host.strip()
    if not host or any(ch.isspace() for ch in host):
        raise UsageError(f"--host {args.host!r} is not an address to listen on, e.g. 127.0.0.1")
    options = load(light=True)
    open_index(options.db_path, options.archive_dir).close()
    if not (options.site_dir / "index.html").exists():
        update_site(options)
    try:
        server = SiteServer(options.site_dir, database_search(options.db_path), host, port,
                            options.briefing.title, signup=Signup(options), options=options.serve,
                            public_url=options.briefing.base_url)
    except (OSError, OverflowError, UnicodeError) as exc:
        raise BriefingError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}",
                            hint="choose another --port, or a --host address of this machine") from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        warn(args, f"listening on {host}: the archive is open to other machines")
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
    from jobs import open_store
    if args.archive_command == "remove":
        try:
            date = flags.date(args.date, "DATE")
        except UsageError:
            raise UsageError(f"archive remove: {args.date!r} is not a date in the form YYYY-MM-DD, e.g. 2025-06-24",
                             hint="`briefing.py archive list` shows the archived dates") from None
    options = load(light=True)
    store = open_store(options)
    try:
        if args.archive_command == "list":
            found = archived_briefings(store.conn, options.archive_dir)
            if not found:
                warn(args, f"the archive in {options.archive_dir} is empty; build one with: briefing.py build",
                      "note")
            for row in found:
                stories = "?" if row["stories"] is None else row["stories"]
                made = row["generated"] or "not recorded"
                where = row["folder"] or "folder missing"
                print(f"{row['date']}  {stories} {'story' if stories == 1 else 'stories'}  made {made}  {where}")
            return 0
        # Only a removal rebuilds the site and the search index (jinja2 and the site's code):
        # `archive list` answers without them.
        from archive.search import unindex_briefing
        removed = remove_briefing(options.archive_dir, date, store.conn)
        if not removed:
            raise ArchiveError(f"there is no briefing of {date} in {options.archive_dir}")
        unindex_briefing(store.conn, date)
    finally:
        store.close()
    from jobs import update_site
    problems = update_site(options)
    report_problems(args, problems)
    say(args, f"removed the briefing of {date}; the archive site and search no longer list it")
    return 1 if problems else 0


