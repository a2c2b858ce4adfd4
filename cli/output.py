"""What every command shares: its report lines, warnings, progress, and the options it loads."""
from __future__ import annotations

import sys


def quiet(args) -> bool:
    return bool(getattr(args, "quiet", False))


def say(args, text: str) -> None:
    """A line of the command's report on standard output (left out with -q)."""
    if not quiet(args):
        print(text)


def warn(args, text: str, kind: str = "warning") -> None:
    """A warning or note on standard error (left out with -q)."""
    if not quiet(args):
        print(f"{kind}: {text}", file=sys.stderr)


def progress(args, label: str):
    if quiet(args) or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{label} {done}/{total}", end=end, file=sys.stderr, flush=True)
    return show


def report_problems(args, problems) -> None:
    for problem in problems:
        warn(args, problem)


def closing(options, fetched=None, imported=None, built=None) -> str:
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


# The settings a command that lists, searches, serves or sends uses. Such a command checks
# only these up front; the fetching, grouping and summarising sections (and the libraries
# their classes come with) are left to the commands that use them.
LIGHT = ("briefing", "smtp", "schedule", "subscribers", "serve")


def load(overrides=None, home=None, light: bool = False):
    """The options, with the data directory checked: it must be a folder that can be written.

    ``light``: check only the ``LIGHT`` sections now (the others when first used).
    """
    from core.errors import Origin
    from core.options import check_home, home_dir, home_origin, load_options
    if home is None:
        home = check_home(home_dir(), home_origin())
    else:
        home = check_home(home, Origin("flag", "--home"))
    return load_options(overrides=overrides, home=home, check=LIGHT if light else None)


def in_feed_list(options, url: str):
    from feeds.urls import canonical_url
    target = canonical_url(url)
    return next((spec for spec in options.feeds if canonical_url(spec.url) == target), None)


def printable(text: str) -> str:
    """Feed text made safe for a terminal: control characters (escape sequences) become spaces."""
    return " ".join("".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch for ch in text).split())


