"""Real text for ``bench.day``: a day of news articles made at run time from ../shared/eval.

The documents come from the evaluation data (never from the repository): BASIL's articles,
Multi-News's source documents, ECB+ and NewsWCL50 (detokenised), and the extraction set's
article bodies. Documents that report the same event stay together as one event, so the
day's events share what real news shares: the same ministers, capitals and agencies across
many different events (BASIL and Multi-News both span a decade of US and world politics;
ECB+ holds pairs of similar but distinct events).

Each event is published many times over, the way a day's news is:

* **wire copy** republished verbatim by other outlets (own URL, own outlet, close in time);
* **lightly edited** copies: about a fifth of the paragraphs dropped, sometimes the lead
  paragraph's headline taken from another outlet's copy;
* **follow-ups** hours later: a lead paragraph from another report of the same event, then
  part of this one.

How many articles an event gets is heavy-tailed (a few big stories, many small ones). The
document text is never changed, only selected, so every sentence is a real one.

Example:
    from bench.dayload import day_articles
    pool = day_articles(Path("../shared/eval"), 30000, seed=5, start=now - timedelta(days=3), days=1.5)
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

# Documents shorter than this are dropped: a feed entry of a line or two would be taken for
# a teaser and its page fetched, which the benchmark controls with its teaser feeds instead.
MIN_CHARS = 600
# No event is republished more than this many times in a day (the synthetic day's cap too).
MAX_COPIES = 300


@dataclass(frozen=True)
class Document:
    """One real report: a title and its paragraphs."""

    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class DayArticle:
    """One article of the benchmark day; ``event`` and ``kind`` are for the benchmark's own counts."""

    title: str
    text: str
    published: datetime
    event: str
    kind: str  # "first", "wire", "edited", "follow-up"


def _detokenise(text: str) -> str:
    # ECB+ and NewsWCL50 come tokenised ("Jackman , playing `` The Boy ''"); put the spaces back
    # where a writer would have them.
    text = re.sub(r" ([,.;:!?%)\]])", r"\1", text)
    text = re.sub(r"([(\[$]) ", r"\1", text)
    text = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    text = text.replace("`` ", "\u201c").replace(" ''", "\u201d").replace("``", "\u201c").replace("''", "\u201d")
    return re.sub(r" - ", "-", text)


def _paragraphs(text: str) -> tuple[str, ...]:
    parts = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n|\n", text)]
    return tuple(p for p in parts if p and not re.match(r"https?://\S+$", p))


def _title(paragraphs: tuple[str, ...]) -> str:
    # Documents without a title get their first sentence, cut at a dozen words, as news
    # sites do when a feed has no headline.
    first = re.split(r"(?<=[.!?])\s", paragraphs[0], maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:12]).rstrip(",;:") + ("\u2026" if len(words) > 12 else "")


def _document(text: str, title: str = "") -> Document | None:
    paragraphs = _paragraphs(text)
    if sum(len(p) for p in paragraphs) < MIN_CHARS or len(paragraphs) < 2:
        return None
    return Document(title.strip() or _title(paragraphs), paragraphs)


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_events(eval_dir: Path) -> dict[str, list[Document]]:
    """Every usable document under ``eval_dir``, grouped by the event it reports."""
    events: dict[str, list[Document]] = {}

    def add(key: str, doc: Document | None) -> None:
        if doc is not None:
            events.setdefault(key, []).append(doc)

    for row in _rows(eval_dir / "clustering" / "basil.jsonl"):
        add(f"basil:{row['event']}", _document(row["text"], row.get("title", "")))
    for name in ("ecbplus", "newswcl50"):
        for row in _rows(eval_dir / "clustering" / f"{name}.jsonl"):
            add(f"{name}:{row['event']}", _document(_detokenise(row["text"])))
    for row in _rows(eval_dir / "summarization" / "multinews.jsonl"):
        for text in row["documents"]:
            add(f"multinews:{row['id']}", _document(text))
    for row in _rows(eval_dir / "extraction" / "gold.jsonl"):
        add(f"extraction:{row['id']}", _document(row["body"]))
    if not events:
        raise SystemExit(f"no documents found under {eval_dir}")
    return events


def _copies(events: int, count: int, rng: random.Random) -> list[int]:
    # Pareto weights: a few events carried by hundreds of outlets, most by a handful.
    weights = [rng.paretovariate(1.1) for _ in range(events)]
    scale = count / sum(weights)
    sizes = [max(1, min(MAX_COPIES, round(w * scale))) for w in weights]
    # The cap throws some of the count away; give it back to the uncapped events in turn.
    short = count - sum(sizes)
    order = sorted(range(events), key=lambda i: -weights[i])
    i = 0
    while short > 0:
        j = order[i % events]
        if sizes[j] < MAX_COPIES:
            sizes[j] += 1
            short -= 1
        i += 1
    return sizes


def day_articles(eval_dir: Path, count: int, seed: int, start: datetime, days: float) -> list[DayArticle]:
    """About ``count`` articles published from ``start`` over ``days`` days (deterministic from ``seed``)."""
    rng = random.Random(seed)
    events = load_events(eval_dir)
    keys = sorted(events)
    sizes = _copies(len(keys), count, rng)
    span = timedelta(days=days).total_seconds()
    end = start + timedelta(days=days)
    pool: list[DayArticle] = []
    for key, size in zip(keys, sizes):
        docs = events[key]
        began = start + timedelta(seconds=rng.random() * span * 0.9)
        for n in range(size):
            doc = docs[n % len(docs)] if n < len(docs) else rng.choice(docs)
            roll = rng.random()
            paragraphs = list(doc.paragraphs)
            title = doc.title
            when = began + timedelta(minutes=rng.expovariate(1 / 90))
            if n < len(docs):
                kind = "first"
            elif roll < 0.3:
                kind = "wire"
            elif roll < 0.8 or len(docs) == 1:
                kind = "edited"
                keep = [paragraphs[0]] + [p for p in paragraphs[1:] if rng.random() > 0.2]
                paragraphs = keep if len(keep) >= 2 else paragraphs
                if len(docs) > 1 and rng.random() < 0.3:
                    title = rng.choice(docs).title
            else:
                kind = "follow-up"
                other = rng.choice(docs)
                lead = other.paragraphs[rng.randrange(len(other.paragraphs))]
                half = paragraphs[: max(2, len(paragraphs) // 2)]
                paragraphs = [lead] + [p for p in half if p != lead]
                title = _title((lead,))
                when += timedelta(hours=6 + 30 * rng.random())
            pool.append(DayArticle(title, "\n\n".join(paragraphs), min(when, end), key, kind))
    rng.shuffle(pool)
    return pool
