"""Readability measurement: Multi-News clusters -> the summary the email would carry.

Reads ``{id, documents: [...], summary}`` lines (the reference ``summary`` is never
read), turns each document into an :class:`~core.models.Article` and makes the story
the product would put in the email, with the product's own path and defaults
(:func:`summarize.stories.make_story`: wire copies folded, the default
:class:`~summarize.summary.SummaryOptions`). It writes one line per cluster::

    {"id": ..., "sentences": [{"text": ..., "doc": I, "position": J}, ...]}

in reading order, ``doc`` the index of the document in the cluster and ``position`` the
index of the sentence among that document's sentences as the product splits them
(:func:`summarize.sentences.sentence_spans`).

``--half 0`` or ``--half 1`` (through ``python -m bench.readability``) keeps only the
clusters whose ``sha1(id) % 2`` is that number, to check a figure on data it was not
tuned on.

Example:
    python -m bench readability --input ../shared/eval/summarization/multinews.jsonl --output /tmp/read.jsonl
    python ../shared/eval/score.py readability ../shared/eval/summarization/multinews.jsonl /tmp/read.jsonl --anchors
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys

from bench.summarize import cluster_articles
from summarize.stories import make_story
from summarize.summary import SummaryOptions

log = logging.getLogger(__name__)


def in_half(cluster_id: str, half: int | None) -> bool:
    """Whether a cluster belongs to ``half`` (``sha1(id) % 2``); every cluster when ``None``."""
    if half is None:
        return True
    return int(hashlib.sha1(str(cluster_id).encode("utf-8")).hexdigest(), 16) % 2 == half


def story_sentences(cluster_id: str, documents: list[str],
                    options: SummaryOptions = SummaryOptions()) -> list[dict]:
    """The email summary of one cluster as ``{"text", "doc", "position"}`` dicts, in reading order."""
    articles = cluster_articles(cluster_id, documents)
    doc_of = {a.id: i for i, a in enumerate(articles)}
    story = make_story(cluster_id, articles, summary=options)
    return [{"text": s.text, "doc": doc_of[s.article_id], "position": s.position} for s in story.summary]


def main(input_path: str, output_path: str, half: int | None = None) -> int:
    """Summarise every cluster of ``input_path`` (or one half of them) into ``output_path``; return the count."""
    count = 0
    with open(input_path, encoding="utf-8") as src, open(output_path, "w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            cluster = json.loads(line)
            if not in_half(cluster["id"], half):
                continue
            sentences = story_sentences(str(cluster["id"]), list(cluster.get("documents") or []))
            out.write(json.dumps({"id": cluster["id"], "sentences": sentences}, ensure_ascii=False) + "\n")
            count += 1
    return count


def split_file(input_path: str, output_prefix: str) -> None:
    """Write the two halves of an evaluation file (``sha1(id) % 2``) as PREFIX0.jsonl and PREFIX1.jsonl."""
    with open(input_path, encoding="utf-8") as src:
        lines = [line for line in src if line.strip()]
    for half in (0, 1):
        with open(f"{output_prefix}{half}.jsonl", "w", encoding="utf-8") as out:
            out.writelines(line for line in lines if in_half(json.loads(line)["id"], half))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.readability", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True, help="multinews-style JSON lines to read")
    parser.add_argument("--output", help="prediction JSON lines to write")
    parser.add_argument("--half", type=int, choices=(0, 1), help="only the clusters with sha1(id) %% 2 == HALF")
    parser.add_argument("--split", metavar="PREFIX",
                        help="instead: write the two halves of --input as PREFIX0.jsonl and PREFIX1.jsonl")
    args = parser.parse_args()
    if args.split:
        split_file(args.input, args.split)
        sys.exit(0)
    if not args.output:
        parser.error("--output is required")
    print(f"readability: wrote {main(args.input, args.output, args.half)} predictions to {args.output}",
          file=sys.stderr)
