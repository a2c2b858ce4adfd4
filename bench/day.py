"""A day at scale: ``python -m bench.day [--feeds 1000 --articles 30000]``.

A loopback HTTP server (its own process, on 127.0.0.1) serves ``--feeds`` feeds built
deterministically from ``--seed``: RSS and Atom in turn, 30 to 100 items each, about
``--articles`` distinct articles in all (``bench.synthetic``; half the events are off the
diplomacy beat, and many articles are listed by two feeds). Some feeds are slow (1 to 3 s),
some fail (HTTP 500, 404, or a body that is not a feed), and some list teasers whose
article page must be fetched and extracted. Feeds answer conditional requests with
304 Not Modified.

The product then runs as a user would, in-process, in a fresh temporary data directory:
``fetch`` (fetch, parse, extract pages, store) and ``build`` (topic, grouping, stories
with de-duplication and summaries, rendering, archive). Each stage's time comes from the
product's own log (``core.jobs`` logs every stage at INFO). A second fetch and build on the
same day, with every feed answering 304, is timed too. Prints the figures and the peak memory
of the product's process (the server's memory is not counted).

Example:
    python -m bench.day
"""
from __future__ import annotations

import argparse
import hashlib
import html
import logging
import multiprocessing
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench import synthetic

LAST_MODIFIED = "Mon, 12 May 2025 06:00:00 GMT"


# ---- the feeds ---------------------------------------------------------------------------

def plan_feeds(feeds: int, articles: int, seed: int, now: datetime) -> tuple[list, list[dict]]:
    """The articles and, per feed, its kind ("ok", "slow", "teaser", "500", "404", "garbage"),
    format and article indices; all from ``seed``."""
    rng = random.Random(seed)
    pool = synthetic.articles(articles, seed=seed, start=now - timedelta(days=3), days=1.5, off_topic=0.5)
    counts = [30 + int(70 * rng.random() ** 4) for _ in range(feeds)]
    total = sum(counts)
    order = list(range(len(pool))) + [rng.randrange(len(pool)) for _ in range(max(0, total - len(pool)))]
    rng.shuffle(order)
    plan, cursor = [], 0
    for i, count in enumerate(counts):
        roll = rng.random()
        kind = ("500" if roll < 0.03 else "404" if roll < 0.04 else "garbage" if roll < 0.05
                else "slow" if roll < 0.10 else "teaser" if roll < 0.15 else "ok")
        plan.append({"kind": kind, "atom": i % 2 == 1, "items": sorted(set(order[cursor:cursor + count])),
                     "delay": 1 + 2 * rng.random()})
        cursor += count
    return pool, plan


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))


def feed_body(index: int, feed: dict, pool: list, base: str) -> bytes:
    """The XML of one feed (RSS 2.0 or Atom), its entries newest first."""
    entries = sorted(feed["items"], key=lambda k: pool[k].published, reverse=True)
    parts = []
    for k in entries:
        article = pool[k]
        link = f"{base}/page/{k}.html"
        if feed["kind"] == "teaser":
            body = html.escape(article.text.split(". ")[0] + ". [\u2026]")
        else:
            body = html.escape(_paragraphs(article.text))
        if feed["atom"]:
            parts.append(f"<entry><title>{html.escape(article.title)}</title><link href=\"{link}\"/>"
                         f"<id>{link}</id><updated>{article.published.isoformat()}</updated>"
                         f"<content type=\"html\">{body}</content></entry>")
        else:
            parts.append(f"<item><title>{html.escape(article.title)}</title><link>{link}</link>"
                         f"<guid>{link}</guid><pubDate>{format_datetime(article.published)}</pubDate>"
                         f"<description>{body}</description></item>")
    name = f"Bench Outlet {index}"
    if feed["atom"]:
        return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
                f"<title>{name}</title><id>{base}/feed/{index}</id><updated>2025-05-12T06:00:00Z</updated>"
                + "".join(parts) + "</feed>").encode("utf-8")
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{name}</title>"
            f"<link>{base}/</link><description>bench</description>" + "".join(parts)
            + "</channel></rss>").encode("utf-8")


def page_body(article) -> bytes:
    """An article page with site navigation and a footer around the text."""
    nav = "".join(f"<li><a href=\"/section/{s}\">{s.title()}</a></li>" for s in ("world", "politics", "sport"))
    return (f"<!doctype html><html><head><title>{html.escape(article.title)}</title></head><body>"
            f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{html.escape(article.title)}</h1>"
            f"{_paragraphs(article.text)}</article></main><footer><p>Copyright Bench Outlet. All rights "
            f"reserved.</p></footer></body></html>").encode("utf-8")


def serve(feeds: int, articles: int, seed: int, now: datetime, ready) -> None:
    """The server process: build every feed, listen on 127.0.0.1, send the port to ``ready``."""
    pool, plan = plan_feeds(feeds, articles, seed, now)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    bodies = {i: feed_body(i, f, pool, base) for i, f in enumerate(plan) if f["kind"] not in ("500", "404")}
    etags = {i: '"' + hashlib.sha1(b).hexdigest()[:16] + '"' for i, b in bodies.items()}
    path = re.compile(r"^/(feed|page)/(\d+)\.(xml|html)$")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # noqa: D102 - quiet server
            pass

        def reply(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_GET(self):  # noqa: N802,D102
            found = path.match(self.path)
            if not found:
                return self.reply(404)
            what, number = found.group(1), int(found.group(2))
            if what == "page":
                if number >= len(pool):
                    return self.reply(404)
                return self.reply(200, page_body(pool[number]), {"Content-Type": "text/html; charset=utf-8"})
            if number >= len(plan):
                return self.reply(404)
            kind = plan[number]["kind"]
            if kind == "500":
                return self.reply(500, b"oops")
            if kind == "404":
                return self.reply(404, b"gone")
            if kind == "slow":
                time.sleep(plan[number]["delay"])
            if kind == "garbage":
                return self.reply(200, b"<html><body>Not a feed. " * 50 + b"</body></html>",
                                  {"Content-Type": "text/html"})
            if self.headers.get("If-None-Match") == etags[number]:
                return self.reply(304, b"", {"ETag": etags[number], "Last-Modified": LAST_MODIFIED})
            kind_type = "application/atom+xml" if plan[number]["atom"] else "application/rss+xml"
            return self.reply(200, bodies[number], {"Content-Type": kind_type, "ETag": etags[number],
                                                    "Last-Modified": LAST_MODIFIED})

    server.RequestHandlerClass = Handler
    server.daemon_threads = True
    server.request_queue_size = 256
    counts = {}
    for f in plan:
        counts[f["kind"]] = counts.get(f["kind"], 0) + 1
    ready.send((base, len({k for f in plan if f["kind"] not in ("500", "404", "garbage") for k in f["items"]}),
                sum(len(f["items"]) for f in plan), counts))
    server.serve_forever()


class FeedServer:
    """The loopback feed server in a child process; a context manager giving its base URL."""

    def __init__(self, feeds: int, articles: int, seed: int, now: datetime):
        self.args = (feeds, articles, seed, now)
        self.process = None

    def __enter__(self) -> "FeedServer":
        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("fork").Process(target=serve, args=(*self.args, child),
                                                                   daemon=True)
        self.process.start()
        self.base, self.reachable, self.items, self.kinds = parent.recv()
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.join(5)

    def feed_urls(self) -> list[str]:
        """Every feed's URL, in order."""
        return [f"{self.base}/feed/{i}.xml" for i in range(self.args[0])]


# ---- the product's run -------------------------------------------------------------------

class StageLog(logging.Handler):
    """Collects the product's ``stage NAME: SECONDS s`` log lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.stages: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102
        found = re.match(r"stage (\S+): ([\d.]+) s", record.getMessage())
        if found:
            self.stages.append((found.group(1), float(found.group(2))))


def write_config(home: Path, urls: list[str]) -> None:
    """A config.toml listing the feeds; every option at its default but loopback allowed."""
    lines = ["[briefing]", 'title = "Bench briefing"', "", "[fetch]",
             "allow_private = true  # the feeds are on 127.0.0.1", ""]
    for url in urls:
        lines += ["[[feeds]]", f'url = "{url}"', ""]
    (home / "config.toml").write_text("\n".join(lines), encoding="utf-8")


def product_run(home: Path, label: str) -> tuple[float, list[tuple[str, float]], str]:
    """One fetch and one build in ``home``; returns wall seconds, stage times and a summary line."""
    from core import jobs
    from core.options import load_options

    stages = StageLog()
    logging.getLogger("core.jobs").addHandler(stages)
    logging.getLogger("core.jobs").setLevel(logging.INFO)
    try:
        options = load_options({"BRIEFING_HOME": str(home)})
        began = time.perf_counter()
        report = jobs.fetch(options)
        fetched = time.perf_counter() - began
        stages.stages.insert(0, ("fetch+parse+extract+store", fetched))
        # What `briefing.py run` does: keep the day's briefing when nothing new arrived.
        built = jobs.current_briefing(options) or jobs.build(options)
        wall = time.perf_counter() - began
    finally:
        logging.getLogger("core.jobs").removeHandler(stages)
    line = (f"{label}: {wall:.1f} s wall; feeds ok {report.ok}, not modified {report.not_modified}, failed "
            f"{len(report.failed)}; {report.new_articles} new articles; briefing of {len(built.briefing.stories)} "
            f"stories from {built.considered} articles ({built.off_topic} off topic)"
            + ("; briefing kept, nothing new" if built.kept else ""))
    return wall, stages.stages, line


def main(argv: list[str] | None = None) -> int:
    """Serve the feeds, run the product twice, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.day", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=30000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("feeds.fetch").setLevel(logging.ERROR)  # the failing feeds are expected

    now = datetime.now(timezone.utc)
    home = Path(tempfile.mkdtemp(prefix="briefing-day-"))
    try:
        with FeedServer(args.feeds, args.articles, args.seed, now) as server:
            print(f"server {server.base}: {args.feeds} feeds ({server.kinds}), {server.items} items, "
                  f"{server.reachable} distinct articles in the feeds that answer", flush=True)
            write_config(home, server.feed_urls())
            wall, stages, line = product_run(home, "first run")
            print(line)
            for name, seconds in stages:
                print(f"  {name:<28} {seconds:7.2f} s")
            print(f"  peak memory so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
                  f"(target: <= 120 s, <= 1536 MB)", flush=True)
            wall2, stages2, line2 = product_run(home, "second run, same day (all 304)")
            print(line2)
            for name, seconds in stages2:
                print(f"  {name:<28} {seconds:7.2f} s")
            print(f"  target <= 10 s; peak memory of the product's process "
                  f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        if args.keep:
            print(f"data directory kept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
