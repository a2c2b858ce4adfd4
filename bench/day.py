"""A day at scale on real text: ``python -m bench.day [--feeds 1000 --articles 30000]``.

The articles are real documents from ``--eval`` (../shared/eval; see ``bench.dayload``:
events republished as wire copy, lightly edited copies and follow-ups over a day and a
half). A loopback server in its own process serves ``--feeds`` feeds from ``--sites``
sites, each site on its own loopback address (127.0.0.2, 127.0.0.3, ...: separate hosts to
the client, as on the web): RSS and Atom in turn, up to 100 items each, many articles
listed by two feeds of their site. Some feeds are slow (1 to 3 s; ``--slow 0`` for none),
some fail (HTTP 500, 404, or a body that is not a feed), and some list teasers whose
article page must be fetched and extracted. Every answer takes as long as a real site's
does: 50-300 ms mostly, some up to 1 s, a few 1-3 s. Feeds answer conditional requests
with 304 Not Modified. The server answers each request in one write on a TCP_NODELAY
socket (asyncio), so it adds no stall of its own.

In the same run, first the floor (in a child process, so that its memory is not counted
as the product's): every feed and every page the product will fetch downloaded with a
plain httpx client under the product's connection limits, then feedparser alone on the
feed bodies and trafilatura alone on the pages, on two processes. Then the product runs
as a user would, in-process, in a fresh temporary data directory: ``fetch`` (fetch, parse,
extract pages, store) and what ``run`` does to build (topic, grouping, stories, render,
archive), each stage's time from the product's own log; then the same again on the same
day, every feed answering 304. Peak memory is sampled for the product's whole process tree
(this process and its worker processes; the server and the floor are not counted).

``--profile FILE`` writes pyinstrument's summary of the first run's fetch and build
(wall times under the profiler are higher; use it to see where the time goes).

Example:
    python -m bench.day
    python -m bench.day --feeds 200 --articles 6000 --profile /tmp/day-profile.txt
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import json
import logging
import multiprocessing
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
import urllib.request
import zlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

LAST_MODIFIED = "Mon, 12 May 2025 06:00:00 GMT"
MAX_ITEMS = 100  # a feed lists its newest items only
TEASER_CHARS = 400  # entries shorter than this get their page fetched (feeds.pages.TEASER_CHARS)


# ---- the feeds ---------------------------------------------------------------------------

def site_host(site: int) -> str:
    """The loopback address of site number ``site`` (127.0.0.2 onwards; 127.0.0.1 is the bench's)."""
    return f"127.0.{site // 250}.{2 + site % 250}"


def plan_feeds(feeds: int, articles: int, seed: int, now: datetime, eval_dir: Path, sites: int,
               slow: float) -> tuple[list, list[dict]]:
    """The articles and, per feed, its site, kind ("ok", "slow", "teaser", "500", "404", "garbage"),
    format and article indices (newest first); all from ``seed``. ``slow`` is the share of slow feeds."""
    from bench.dayload import day_articles

    rng = random.Random(seed)
    pool = day_articles(eval_dir, articles, seed=seed, start=now - timedelta(days=3), days=1.5)
    sites = max(1, min(sites, feeds))
    # Sites differ in size: a wire agency's feeds list far more than a small outlet's.
    weight = [rng.lognormvariate(0, 0.8) for _ in range(sites)]
    site_feeds: list[list[int]] = [[] for _ in range(sites)]
    for i in range(feeds):
        site_feeds[i % sites].append(i)
    listed: list[list[int]] = [[] for _ in range(feeds)]
    site_of_article = rng.choices(range(sites), weights=weight, k=len(pool))
    for k, site in enumerate(site_of_article):
        own = site_feeds[site]
        first = rng.choice(own)
        listed[first].append(k)
        if len(own) > 1 and rng.random() < 0.5:  # also in a second feed of the same site
            listed[rng.choice([f for f in own if f != first])].append(k)
    plan = []
    for i in range(feeds):
        roll = rng.random()
        kind = ("500" if roll < 0.03 else "404" if roll < 0.04 else "garbage" if roll < 0.05
                else "slow" if roll < 0.05 + slow else "teaser" if roll < 0.10 + slow else "ok")
        items = sorted(set(listed[i]), key=lambda k: pool[k].published, reverse=True)[:MAX_ITEMS]
        plan.append({"kind": kind, "atom": i % 2 == 1, "items": items, "site": i % sites,
                     "delay": 1 + 2 * rng.random()})
    return pool, plan


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))


def feed_body(index: int, feed: dict, pool: list, base: str) -> bytes:
    """The XML of one feed (RSS 2.0 or Atom), its entries newest first; links on the feed's site."""
    parts = []
    for k in feed["items"]:
        article = pool[k]
        link = f"{base}/page/{k}.html"
        if feed["kind"] == "teaser":
            body = html.escape(article.text.split(". ")[0][:300] + ". [\u2026]")
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
    name = f"Bench Outlet {feed['site']} ({index})"
    if feed["atom"]:
        return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
                f"<title>{name}</title><id>{base}/feed/{index}</id><updated>2025-05-12T06:00:00Z</updated>"
                + "".join(parts) + "</feed>").encode("utf-8")
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{name}</title>"
            f"<link>{base}/</link><description>bench</description>" + "".join(parts)
            + "</channel></rss>").encode("utf-8")


def page_body(article, site: int) -> bytes:
    """An article page with site navigation, a teaser list and a footer around the text."""
    nav = "".join(f"<li><a href=\"/section/{s}\">{s.title()}</a></li>"
                  for s in ("world", "politics", "business", "sport", "culture"))
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{html.escape(article.title)} - Bench "
            f"Outlet {site}</title></head><body><header><nav><ul>{nav}</ul></nav></header><main><article>"
            f"<h1>{html.escape(article.title)}</h1>{_paragraphs(article.text)}</article>"
            f"<aside><h2>Most read</h2><ul>{nav}</ul></aside></main><footer><p>Copyright Bench Outlet "
            f"{site}. All rights reserved.</p></footer></body></html>").encode("utf-8")


def latency(key: str) -> float:
    """How long a real site takes to answer (deterministic per URL path): mostly 50-300 ms,
    about one in eight 0.3-1 s, about one in thirty 1-3 s."""
    rng = random.Random(zlib.crc32(key.encode()))
    roll = rng.random()
    if roll < 0.85:
        return 0.05 + 0.25 * rng.random()
    if roll < 0.97:
        return 0.3 + 0.7 * rng.random()
    return 1 + 2 * rng.random()


class _Counts:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: dict[str, int] = {}
        self.active: dict[str, int] = getattr(self, "active", {})
        self.peak: dict[str, int] = dict(self.active)

    def begin(self, host: str, what: str) -> None:
        self.requests[what] = self.requests.get(what, 0) + 1
        for key in (host, "*"):
            self.active[key] = self.active.get(key, 0) + 1
            self.peak[key] = max(self.peak.get(key, 0), self.active[key])

    def end(self, host: str) -> None:
        for key in (host, "*"):
            self.active[key] -= 1

    def summary(self) -> dict:
        hosts = [v for k, v in self.peak.items() if k != "*"]
        return {"requests": self.requests, "peak_all": self.peak.get("*", 0),
                "peak_host": max(hosts, default=0)}


def serve(feeds: int, articles: int, seed: int, now: datetime, eval_dir: Path, sites: int, slow: float,
          waits: bool, ready) -> None:
    """The server process: build every feed and page, listen on each site's loopback address,
    send the URLs to ``ready``. ``GET /stats`` on 127.0.0.1 answers the request counts and the most
    requests in hand at once (``?reset=1`` starts them again)."""
    pool, plan = plan_feeds(feeds, articles, seed, now, eval_dir, sites, slow)
    used_sites = sorted({f["site"] for f in plan})
    asyncio.run(_serve(pool, plan, used_sites, waits, ready))


async def _serve(pool: list, plan: list[dict], used_sites: list[int], waits: bool, ready) -> None:
    counts = _Counts()
    ports: dict[str, int] = {}
    routes = re.compile(r"^/(feed|page)/(\d+)\.(xml|html)$")
    bodies: dict[int, bytes] = {}
    etags: dict[int, str] = {}
    site_of_page = {k: f["site"] for f in plan for k in f["items"]}

    def answer(host: str, target: str, headers: dict) -> tuple[int, dict, bytes, float]:
        path = target.split("?")[0]
        if path == "/stats":
            summary = json.dumps(counts.summary()).encode()
            if "reset=1" in target:
                counts.reset()
            return 200, {"Content-Type": "application/json"}, summary, 0.0
        found = routes.match(path)
        if not found:
            return 404, {}, b"not found", latency(path)
        what, number = found.group(1), int(found.group(2))
        wait = latency(path)
        if what == "page":
            if number >= len(pool):
                return 404, {}, b"not found", wait
            body = page_body(pool[number], site_of_page.get(number, 0))
            return 200, {"Content-Type": "text/html; charset=utf-8"}, body, wait
        if number >= len(plan):
            return 404, {}, b"not found", wait
        feed = plan[number]
        kind = feed["kind"]
        if kind == "slow":
            wait = feed["delay"]
        if kind == "500":
            return 500, {}, b"oops", wait
        if kind == "404":
            return 404, {}, b"gone", wait
        if kind == "garbage":
            return 200, {"Content-Type": "text/html"}, b"<html><body>Not a feed. " * 50 + b"</body></html>", wait
        if headers.get("if-none-match") == etags[number]:
            return 304, {"ETag": etags[number], "Last-Modified": LAST_MODIFIED}, b"", wait
        kind_type = "application/atom+xml" if feed["atom"] else "application/rss+xml"
        return 200, {"Content-Type": kind_type, "ETag": etags[number], "Last-Modified": LAST_MODIFIED}, \
            bodies[number], wait

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                what = target.split("/")[1].split("?")[0]
                if what != "stats":
                    counts.begin(host, what)
                try:
                    status, extra, body, wait = answer(host, target, headers)
                    if wait and waits:
                        await asyncio.sleep(wait)
                    reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 500: "Internal Server Error"}
                    out = [f"HTTP/1.1 {status} {reason.get(status, 'OK')}", f"Content-Length: {len(body)}",
                           "Date: " + format_datetime(datetime.now(timezone.utc), usegmt=True)]
                    out += [f"{k}: {v}" for k, v in extra.items()]
                    # One write for the headers and the body (asyncio sets TCP_NODELAY).
                    writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + (b"" if method == "HEAD" else body))
                    await writer.drain()
                finally:
                    if what != "stats":
                        counts.end(host)
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, IndexError):
            pass
        finally:
            writer.close()

    servers = [await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)]
    ports["127.0.0.1"] = servers[0].sockets[0].getsockname()[1]
    for site in used_sites:
        host = site_host(site)
        server = await asyncio.start_server(handle, host, 0, backlog=512)
        servers.append(server)
        ports[host] = server.sockets[0].getsockname()[1]

    def base(site: int) -> str:
        host = site_host(site)
        return f"http://{host}:{ports[host]}"

    for i, feed in enumerate(plan):
        if feed["kind"] not in ("500", "404"):
            bodies[i] = feed_body(i, feed, pool, base(feed["site"]))
            etags[i] = '"' + hashlib.sha1(bodies[i]).hexdigest()[:16] + '"'
    feed_urls = [f"{base(f['site'])}/feed/{i}.xml" for i, f in enumerate(plan)]
    # The pages the product will fetch: teaser feeds' entries (the first 50 of each feed, as
    # max_pages_per_feed says) and short entries elsewhere, each page once.
    page_urls, seen = [], set()
    for f in plan:
        if f["kind"] in ("500", "404", "garbage"):
            continue
        items = f["items"][:50] if f["kind"] == "teaser" else [k for k in f["items"]
                                                                 if len(pool[k].text) < TEASER_CHARS]
        for k in items:
            if k not in seen:
                seen.add(k)
                page_urls.append(f"{base(f['site'])}/page/{k}.html")
    kinds: dict[str, int] = {}
    for f in plan:
        kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    reachable = len({k for f in plan if f["kind"] not in ("500", "404", "garbage") for k in f["items"]})
    ready.send({"stats": f"http://127.0.0.1:{ports['127.0.0.1']}/stats", "feeds": feed_urls, "pages": page_urls,
                "kinds": kinds, "reachable": reachable, "items": sum(len(f["items"]) for f in plan),
                "sites": len(used_sites), "pool": len(pool)})
    await asyncio.Event().wait()


class FeedServer:
    """The loopback feed server in a child process; a context manager giving the feeds' URLs."""

    def __init__(self, feeds: int, articles: int, seed: int, now: datetime, eval_dir: Path,
                 sites: int = 250, slow: float = 0.05, waits: bool = True):
        # waits=False: every answer at once (no site latency, no slow feeds answering late).
        self.args = (feeds, articles, seed, now, eval_dir, sites, slow, waits)
        self.process = None

    def __enter__(self) -> "FeedServer":
        parent, child = multiprocessing.get_context("fork").Pipe()
        self.process = multiprocessing.get_context("fork").Process(target=serve, args=(*self.args, child),
                                                                   daemon=True)
        self.process.start()
        info = parent.recv()
        self.stats_url = info["stats"]
        self.urls, self.page_urls = info["feeds"], info["pages"]
        self.kinds, self.reachable, self.items, self.sites = info["kinds"], info["reachable"], info["items"], info["sites"]
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.join(5)

    def feed_urls(self) -> list[str]:
        """Every feed's URL, in order."""
        return list(self.urls)

    def stats(self, reset: bool = False) -> dict:
        """The server's request counts and the most requests it had in hand at once."""
        with urllib.request.urlopen(self.stats_url + ("?reset=1" if reset else ""), timeout=10) as answer:
            return json.loads(answer.read())

    def describe(self) -> str:
        """One line saying what is served."""
        return (f"server: {len(self.urls)} feeds on {self.sites} sites ({self.kinds}), {self.items} items, "
                f"{self.reachable} distinct articles in the feeds that answer, {len(self.page_urls)} pages to fetch")


# ---- the floor -------------------------------------------------------------------------

def _floor(feed_urls: list[str], page_urls: list[str], answer) -> None:
    """In a child process: download everything at once under the product's limits, then parse
    with feedparser and extract with trafilatura on two processes; send the timings."""
    from concurrent.futures import ProcessPoolExecutor

    import httpx

    from feeds.fetch import FetchOptions
    from feeds.http import HostSlots, Slots

    options = FetchOptions()

    async def download() -> tuple[list[bytes], list[bytes]]:
        hosts = HostSlots(options.per_host)
        feed_slots, page_slots = Slots(options.concurrency, hosts), Slots(options.page_concurrency, hosts)
        most = options.concurrency + options.page_concurrency
        limits = httpx.Limits(max_connections=most, max_keepalive_connections=most)
        async with httpx.AsyncClient(limits=limits, timeout=60, trust_env=False) as client:
            async def get(url: str, slots) -> bytes | None:
                async with slots.take(url):
                    try:
                        response = await client.get(url)
                    except httpx.HTTPError:
                        return None
                ok = response.status_code == 200 and "xml" in response.headers.get("content-type", "") \
                    or "/page/" in url
                return response.content if ok else None
            feeds = asyncio.gather(*(get(u, feed_slots) for u in feed_urls))
            pages = asyncio.gather(*(get(u, page_slots) for u in page_urls))
            return [b for b in await feeds if b], [b for b in await pages if b]

    began, cpu = time.perf_counter(), time.process_time()
    feeds, pages = asyncio.run(download())
    downloaded, download_cpu = time.perf_counter() - began, time.process_time() - cpu
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as workers:
        list(workers.map(_noop, range(4)))  # start both workers before timing
        began = time.perf_counter()
        done = list(workers.map(_parse_count, feeds, chunksize=4))
        parsed = time.perf_counter() - began
        began = time.perf_counter()
        extracted = list(workers.map(_extract_count, pages, chunksize=4))
        extracting = time.perf_counter() - began
    answer.send({"download": downloaded, "download_cpu": download_cpu, "feeds": len(feeds), "pages": len(pages),
                 "feedparser": parsed, "feedparser_cpu": sum(c for _, c in done), "entries": sum(n for n, _ in done),
                 "trafilatura": extracting, "trafilatura_cpu": sum(c for _, c in extracted),
                 "extracted": sum(n for n, _ in extracted)})


def _noop(_: int) -> None:
    import feedparser  # noqa: F401
    import trafilatura  # noqa: F401


def _parse_count(body: bytes) -> tuple[int, float]:
    import feedparser
    began = time.process_time()
    found = len(feedparser.parse(body).entries)
    return found, time.process_time() - began


def _extract_count(body: bytes) -> tuple[int, float]:
    import trafilatura
    began = time.process_time()
    found = int(bool(trafilatura.extract(body, include_comments=False, include_tables=False)))
    return found, time.process_time() - began


def measure_floor(server: FeedServer) -> dict:
    """The floor of the fetch stage, measured in a child process (see the module docstring)."""
    parent, child = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=_floor, args=(server.urls, server.page_urls, child))
    process.start()
    result = parent.recv()
    process.join()
    return result


# ---- the product's run -------------------------------------------------------------------

class TreeMemory:
    """The memory (PSS, see ``bench.treememory``) of this process and its descendants (except
    ``exclude``), sampled every 0.1 s by a process of its own: a sampling thread here would
    keep the product from forking its workers, as it does when a user runs it."""

    def __init__(self, exclude: set[int]) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_watch_tree, args=(theirs, os.getpid(), set(exclude)), daemon=True)
        self.peak = 0

    def start(self) -> None:
        """Start sampling."""
        self._process.start()
        self._conn.recv()  # sampling has begun

    def _ask(self, what: str) -> int:
        self._conn.send(what)
        peak, self.peak = self._conn.recv()
        return peak

    def next_stage(self) -> int:
        """The peak since the last call (or the start), and start a new one."""
        return self._ask("stage")

    def stop(self) -> None:
        """Stop sampling."""
        self._ask("stop")
        self._process.join(10)


def _watch_tree(conn, root: int, exclude: set[int]) -> None:
    """The sampling process: answers "stage" with (stage peak, overall peak), "stop" likewise and ends."""
    from bench.treememory import tree_bytes

    exclude = exclude | {os.getpid()}
    peak = stage = 0
    conn.send("ready")
    while True:
        if conn.poll(0.1):
            what = conn.recv()
            conn.send((stage, peak))
            stage = 0
            if what == "stop":
                return
        now = tree_bytes(root, exclude)
        peak, stage = max(peak, now), max(stage, now)


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
             "allow_private = true  # the feeds are on 127.0.0.x", ""]
    for url in urls:
        lines += ["[[feeds]]", f'url = "{url}"', ""]
    (home / "config.toml").write_text("\n".join(lines), encoding="utf-8")


def product_run(home: Path, label: str, memory: TreeMemory | None = None,
                profile: list | None = None, build: bool = True) -> tuple[float, list[tuple[str, float]], str, dict]:
    """One fetch and one build in ``home``; returns wall seconds, stage times, a summary line and
    the peak memory (MB) of the fetch and of the build."""
    import jobs
    from core.options import load_options

    stages = StageLog()
    # The fetch job logs its own stages (fetch, store) under jobs.fetching, the build under jobs.building.
    for name in ("jobs.fetching", "jobs.building"):
        logging.getLogger(name).addHandler(stages)
        logging.getLogger(name).setLevel(logging.INFO)
    peaks = {}

    def profiled(name, call):
        if profile is None:
            return call()
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.002)
        profiler.start()
        try:
            return call()
        finally:
            profiler.stop()
            profile.append((name, profiler.output_text(unicode=False, color=False, show_all=False)))

    try:
        options = load_options({"BRIEFING_HOME": str(home)})
        if memory is not None:
            memory.next_stage()
        cpu = _cpu()
        began = time.perf_counter()
        report = profiled("fetch", lambda: jobs.fetch(options))
        fetched = time.perf_counter() - began
        # CPU seconds of this process and of the worker processes it started (and joined).
        peaks["fetch cpu"] = _cpu() - cpu
        if memory is not None:
            peaks["fetch"] = memory.next_stage() / 2**20
        stages.stages.insert(0, ("fetch+parse+extract+store", fetched))
        # What `briefing.py run` does: keep the day's briefing when nothing new arrived.
        cpu = _cpu()
        built = (jobs.current_briefing(options) or profiled("build", lambda: jobs.build(options))) if build else None
        wall = time.perf_counter() - began
        peaks["build cpu"] = _cpu() - cpu
        if memory is not None:
            peaks["build"] = memory.next_stage() / 2**20
    finally:
        for name in ("jobs.fetching", "jobs.building"):
            logging.getLogger(name).removeHandler(stages)
    line = (f"{label}: {wall:.1f} s wall; feeds ok {report.ok}, not modified {report.not_modified}, failed "
            f"{len(report.failed)}; {report.new_articles} new articles")
    if built is not None:
        line += (f"; briefing of {len(built.briefing.stories)} stories from {built.considered} articles "
                 f"({built.off_topic} off topic)" + ("; briefing kept, nothing new" if built.kept else ""))
    return wall, stages.stages, line, peaks


def _cpu() -> float:
    self, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return self.ru_utime + self.ru_stime + children.ru_utime + children.ru_stime


def _print_stages(stages: list[tuple[str, float]]) -> None:
    for name, seconds in stages:
        print(f"  {name:<28} {seconds:7.2f} s")


def main(argv: list[str] | None = None) -> int:
    """Serve the feeds, measure the floor, run the product twice, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.day", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=30000)
    parser.add_argument("--sites", type=int, default=250)
    parser.add_argument("--slow", type=float, default=0.05, help="share of feeds slow to answer (1-3 s)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--eval", type=Path, default=Path("../shared/eval"), help="the evaluation data folder")
    parser.add_argument("--no-floor", action="store_true", help="skip measuring the floor")
    parser.add_argument("--profile", type=Path, help="write pyinstrument's summary of the first run here")
    parser.add_argument("--fetch-only", action="store_true", help="time the fetch job only, no build")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("feeds.fetch").setLevel(logging.ERROR)  # the failing feeds are expected

    now = datetime.now(timezone.utc)
    home = Path(tempfile.mkdtemp(prefix="briefing-day-"))
    try:
        with FeedServer(args.feeds, args.articles, args.seed, now, args.eval, args.sites, args.slow) as server:
            print(server.describe(), flush=True)
            floor = None
            if not args.no_floor:
                floor = measure_floor(server)
                parse = floor["feedparser"] + floor["trafilatura"]
                print(f"floor: download alone {floor['download']:.1f} s ({floor['feeds']} feeds, {floor['pages']} "
                      f"pages; {floor['download_cpu']:.1f} s CPU); on two processes feedparser alone "
                      f"{floor['feedparser']:.1f} s ({floor['entries']} entries; {floor['feedparser_cpu']:.1f} s CPU), "
                      f"trafilatura alone {floor['trafilatura']:.1f} s ({floor['trafilatura_cpu']:.1f} s CPU); "
                      f"floor = max(download, parse) {max(floor['download'], parse):.1f} s", flush=True)
            write_config(home, server.feed_urls())
            server.stats(reset=True)
            memory = TreeMemory(exclude={server.process.pid})
            memory.start()
            profile = [] if args.profile else None
            wall, stages, line, peaks = product_run(home, "first run", memory, profile, not args.fetch_only)
            seen = server.stats(reset=True)
            print(line)
            _print_stages(stages)
            print(f"  requests {seen['requests']}; most in hand at once {seen['peak_all']}, to one host "
                  f"{seen['peak_host']}")
            print(f"  CPU seconds (this process and its workers): fetch+store {peaks['fetch cpu']:.1f}, "
                  f"build {peaks.get('build cpu', 0):.1f}; wall {wall:.1f}")
            print(f"  peak memory, whole process tree: fetch {peaks['fetch']:.0f} MB, build {peaks.get('build', 0):.0f} MB "
                  f"(this process alone {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB); "
                  f"target <= 60 s, <= 1200 MB", flush=True)
            if floor is not None:
                fetch_stage = dict(stages).get("fetch", 0.0)
                best = max(floor["download"], floor["feedparser"] + floor["trafilatura"])
                print(f"  fetch stage / floor: {fetch_stage:.1f} / {best:.1f} s = {fetch_stage / best:.2f}x "
                      f"(fetch+store {stages[0][1] / best:.2f}x; target <= 1.5x)")
                work = floor["download_cpu"] + floor["feedparser_cpu"] + floor["trafilatura_cpu"]
                print(f"  CPU seconds, fetch+store (this process and its workers) / floor (download + feedparser + "
                      f"trafilatura): {peaks['fetch cpu']:.1f} / {work:.1f} = {peaks['fetch cpu'] / work:.2f}x")
            wall2, stages2, line2, peaks2 = product_run(home, "second run, same day (all 304)", memory,
                                                        build=not args.fetch_only)
            print(line2)
            _print_stages(stages2)
            print(f"  target <= 8 s; peak memory of the whole process tree over both runs {memory.peak / 2**20:.0f} MB")
            memory.stop()
            if profile:
                with args.profile.open("w", encoding="utf-8") as out:
                    for name, text in profile:
                        out.write(f"==== {name} ====\n{text}\n")
                print(f"profile written to {args.profile}")
    finally:
        if args.keep:
            print(f"data directory kept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
