"""Real-text news days for the speed benchmarks, built at run time from ../shared/eval.

The documents are real (basil and ECB+ articles, Multi-News source documents); nothing of
them is stored in the repository. A day of news reuses them the way outlets do:

- many events share actors and places, because the documents do (US politics over ten
  years, sports, disasters, world news): names of middle frequency recur across events;
- an event is one source document (or one Multi-News cluster, whose documents report one
  event); its coverage size is heavy-tailed (most events a handful of articles, a few
  hundreds);
- 30 % of an event's articles are wire copy republished verbatim or with a new headline,
  the rest are rewrites: 20 % of the paragraphs (sentences for one-paragraph texts) dropped
  and the rest kept in order, some with a paragraph of a sibling document (follow-ups);
- every article gets a new id, one of 60 outlets and a time within the three days.

Everything comes from one ``random.Random(seed)``. The ``event`` answer fields are never read.

Example:
    python -c "from bench.realtext import articles; print(len(articles(1000)))"
    python -m bench.realtext --total 20000 --output /tmp/stream.jsonl   # for ``python -m bench group``
"""
from __future__ import annotations

import json
import logging
import os
import random
import re
from datetime import datetime, timedelta, timezone

from core.models import Article

log = logging.getLogger(__name__)

EVAL = os.environ.get("BRIEFING_EVAL", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "eval"))
_OUTLETS = [f"Outlet {n:02d}" for n in range(60)]
_URL_LINE = re.compile(r"^\s*https?\s*:")


def _paragraphs(text: str) -> list[str]:
    """Paragraphs of a document (sentences when it is one block), without URL lines."""
    parts = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip() and not _URL_LINE.match(p)]
    if len(parts) < 4:
        parts = [s for p in parts for s in re.split(r"(?<=[.!?])\s+", p) if s.strip()]
    return parts


def load_events(eval_dir: str = EVAL) -> list[list[tuple[str, list[str]]]]:
    """Events as lists of (headline, paragraphs) documents from the evaluation texts."""
    events: list[list[tuple[str, list[str]]]] = []
    for name in ("basil.jsonl", "ecbplus.jsonl"):
        with open(os.path.join(eval_dir, "clustering", name), encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                paragraphs = _paragraphs(record.get("text") or "")
                title = record.get("title") or (paragraphs[0][:90] if paragraphs else "")
                if len(paragraphs) >= 3:
                    events.append([(title, paragraphs)])
    with open(os.path.join(eval_dir, "summarization", "multinews.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            docs = []
            for document in json.loads(line)["documents"]:
                paragraphs = _paragraphs(document)
                if len(paragraphs) >= 3:
                    docs.append((paragraphs[0][:90], paragraphs[1:]))
            if docs:
                events.append(docs)
    return events


def articles(total: int, seed: int = 1, start: datetime = datetime(2025, 5, 10, tzinfo=timezone.utc),
             days: float = 3.0, eval_dir: str = EVAL) -> list[Article]:
    """``total`` real-text articles over ``days`` days (deterministic from ``seed``)."""
    rng = random.Random(seed)
    events = load_events(eval_dir)
    rng.shuffle(events)
    out: list[Article] = []
    n = 0
    # Each pass uses every source event once more, at another time: the same documents as
    # distinct events of a later news cycle (a second summit reported in the same words).
    while len(out) < total:
        for docs in events:
            if len(out) >= total:
                break
            size = min(int(rng.paretovariate(1.2)), 300, total - len(out))
            when = start + timedelta(days=rng.uniform(0, days))
            for _ in range(size):
                title, paragraphs = rng.choice(docs)
                roll = rng.random()
                if roll < 0.3:
                    body = paragraphs  # wire copy, verbatim
                    if rng.random() < 0.5:
                        title = rng.choice(paragraphs)[:80]
                else:
                    body = [p for p in paragraphs if rng.random() >= 0.2] or paragraphs[:1]
                    if len(docs) > 1 and rng.random() < 0.3:
                        other = rng.choice(docs)[1]
                        body = body + [rng.choice(other)]
                n += 1
                published = when + timedelta(hours=rng.expovariate(1 / 10))
                outlet = rng.choice(_OUTLETS)
                slug = f"{outlet.split()[-1]}/{seed}-{n}"
                out.append(Article(id=f"https://real.example/{slug}", title=title, text="\n\n".join(body),
                                   outlet=outlet, published=published, url=f"https://real.example/{slug}",
                                   published_from="metadata"))
    return out


def write_jsonl(path: str, total: int, seed: int = 1) -> int:
    """Write ``articles(total, seed)`` as the clustering sets' JSON lines ({id, title, date,
    source, url, text}; ``date`` with its time of day), for ``python -m bench group``."""
    found = articles(total, seed)
    with open(path, "w", encoding="utf-8") as out:
        for a in found:
            out.write(json.dumps({"id": a.id, "title": a.title, "date": a.published.isoformat(),
                                  "source": a.outlet, "url": a.url, "text": a.text}) + "\n")
    return len(found)


def main(argv: list[str] | None = None) -> int:
    """Write a real-text stream (see ``write_jsonl``)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.realtext", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total", type=int, default=20000, help="articles (default 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", required=True, help="JSON lines to write")
    args = parser.parse_args(argv)
    count = write_jsonl(args.output, args.total, args.seed)
    print(f"wrote {count} articles to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
