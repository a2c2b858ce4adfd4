"""Outlet names and publication dates on real saved pages: ``python3 -m bench.outlets``.

Reads the 91 real news pages of ``../shared/eval/extraction`` twice, as the importer
meets them: as HTML pages (``html/<id>.html.gz``) and as saved page text
(``pagetext.jsonl``, a ``.txt`` file each, no URL). Files are written to a temporary
folder with a modification time far from any page's date, so a date that is a guess
shows. Prints, for each form:

- how many articles got their date from the page (metadata or text) and how many fell
  back on the file's time (never shown as a date);
- for page text, how many text dates agree within 30 hours with the date the same page's
  HTML metadata states (the reference), and how many disagree;
- how many outlets are "unknown outlet", how many text-page names match the name the HTML
  page gives (same outlet, found from the text alone), and the registry hit rate by URL.

Nothing here is tuned to these pages; they are read at run time and never stored.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from feeds.importer import import_paths
from feeds.outlets import UNKNOWN, bundled_registry

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "extraction"
MTIME = datetime(2031, 1, 1, tzinfo=timezone.utc).timestamp()


def _write(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (MTIME, MTIME))


def main(argv: list[str] | None = None) -> int:
    """Import the evaluation pages as HTML and as text; print date and outlet figures."""
    parser = argparse.ArgumentParser(prog="python3 -m bench.outlets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL, help="the extraction evaluation folder")
    args = parser.parse_args(argv)
    records = [json.loads(line) for line in open(args.eval / "pagetext.jsonl", encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp:
        html_dir, text_dir = Path(tmp, "html"), Path(tmp, "text")
        html_dir.mkdir()
        text_dir.mkdir()
        for record in records:
            page = args.eval / "html" / f"{record['id']}.html.gz"
            _write(html_dir, f"{record['id']}.html", gzip.decompress(page.read_bytes()))
            _write(text_dir, f"{record['id']}.txt", record["text"].encode("utf-8"))
        began = time.perf_counter()
        html_report = import_paths([html_dir])
        html_seconds = time.perf_counter() - began
        began = time.perf_counter()
        text_report = import_paths([text_dir])
        text_seconds = time.perf_counter() - began
    registry = bundled_registry()
    for label, report, seconds in (("html", html_report, html_seconds), ("text", text_report, text_seconds)):
        articles = report.articles
        dated = sum(1 for a in articles if a.published_from != "file-mtime")
        unknown = sum(1 for a in articles if a.outlet == UNKNOWN)
        print(f"{label}: {len(articles)} articles in {seconds:.1f} s; dated from the page {dated} "
              f"({dated / len(articles):.0%}), file time only {report.undated}; unknown outlet {unknown}")
    by_title = {a.title[:40]: a for a in html_report.articles}
    agree = disagree = compared = same_name = 0
    for article in text_report.articles:
        reference = by_title.get(article.title[:40])
        if reference is None:
            continue
        compared += 1
        same_name += article.outlet == reference.outlet
        if article.published_from != "file-mtime" and reference.published_from != "file-mtime":
            gap = abs((article.published - reference.published).total_seconds()) / 3600
            agree += gap <= 30
            disagree += gap > 30
    print(f"text vs html (same page, {compared} matched by title): dates agree within 30 h {agree}, "
          f"disagree {disagree}; same outlet name {same_name}")
    hits = sum(1 for a in html_report.articles if registry.by_url(a.url))
    with_url = sum(1 for a in html_report.articles if a.url)
    print(f"registry: {len(registry)} outlets; {hits} of {with_url} page URLs are registered outlets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
