"""Speed of one big story: ``python -m bench.bigstory [--eval ../shared/eval]``.

Builds a 300-article story at run time from the real articles of the summarisation set
(``summarization/multinews.jsonl``: every document becomes one article, in file order),
summarises it with the product's ``summarize_story`` and prints the wall time and the
process's peak memory. Then, on one 1,000-sentence input cut from the same articles, it
times stock sumy LexRank against the project's vectorised LexRank and against the whole
``summarize_story``, prints the ratios, and how far the two LexRank rankings agree
(here and on every small story of the set). Nothing is written to disk.

Example:
    python -m bench.bigstory --eval ../shared/eval
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers.lex_rank import LexRankSummarizer

from core.models import Article
from summarize.sentences import SentenceSplitter, sentence_spans, stemmer, stop_words
from summarize.summary import FastLexRankSummarizer, SummaryOptions, _RankRecorder, summarize_story

START = datetime(2025, 5, 16, 8, tzinfo=timezone.utc)


def load_documents(eval_dir: Path) -> list[list[str]]:
    """The documents of each story of the summarisation set, in file order."""
    clusters = []
    with open(eval_dir / "summarization" / "multinews.jsonl", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                clusters.append([d for d in json.loads(line).get("documents") or [] if d.strip()])
    return clusters


def as_articles(texts: list[str]) -> list[Article]:
    """One article per text, a few minutes apart, each from its own outlet."""
    return [Article(id=f"doc-{i}", title="", text=text, outlet=f"outlet {i}",
                    published=START + timedelta(minutes=7 * i), url=None) for i, text in enumerate(texts)]


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def document_of(sentences: list[str]) -> ObjectDocumentModel:
    """sumy's document model of ``sentences`` (one paragraph), with the product's tokenizer."""
    splitter = SentenceSplitter()
    return ObjectDocumentModel([Paragraph([Sentence(s, splitter) for s in sentences])])


def ratings(summarizer_class, document: ObjectDocumentModel) -> tuple[np.ndarray, float]:
    """Every sentence's rating from a sumy summarizer class, and the seconds it took."""
    summarizer = summarizer_class(stemmer("english"))
    summarizer.stop_words = stop_words("english")
    recorder = _RankRecorder()
    began = time.perf_counter()
    summarizer(document, recorder)
    took = time.perf_counter() - began
    return np.array([recorder.ratings[i] for i in range(len(document.sentences))]), took


def top_overlap(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Share of the top-``k`` sentences of ranking ``a`` that are in the top-``k`` of ``b``."""
    k = min(k, len(a))
    top_a = set(np.argsort(-a, kind="stable")[:k].tolist())
    top_b = set(np.argsort(-b, kind="stable")[:k].tolist())
    return len(top_a & top_b) / k if k else 1.0


def main(argv: list[str] | None = None) -> int:
    """Run the big-story benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.bigstory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", default="../shared/eval", help="the shared evaluation folder")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--sentences", type=int, default=1000, help="size of the stock-sumy comparison input")
    args = parser.parse_args(argv)

    clusters = load_documents(Path(args.eval))
    texts = [d for docs in clusters for d in docs][: args.articles]
    story = as_articles(texts)
    sentence_count = sum(len(sentence_spans(a.text)) for a in story)
    summarize_story(story[:3])  # warm up: import-time work and caches are not the story's cost
    began = time.perf_counter()
    summary = summarize_story(story, SummaryOptions())
    took = time.perf_counter() - began
    print(f"big story: {len(story)} articles, {sentence_count} sentences -> {len(summary)} summary sentences "
          f"in {took:.3f} s wall; peak memory {peak_mb():.0f} MB (target < 1 s, < 1024 MB)")

    # The same 1,000 sentences for stock sumy, the vectorised LexRank and summarize_story.
    sentences: list[str] = []
    pieces: list[str] = []
    for text in texts:
        spans = sentence_spans(text)[: args.sentences - len(sentences)]
        sentences += [text[s:e] for s, e in spans]
        pieces.append("\n".join(text[s:e] for s, e in spans))
        if len(sentences) >= args.sentences:
            break
    document = document_of(sentences)
    stock, stock_s = ratings(LexRankSummarizer, document)
    fast, fast_s = ratings(FastLexRankSummarizer, document)
    began = time.perf_counter()
    summarize_story(as_articles(pieces), SummaryOptions(lead_sentences=None, max_candidates=10 ** 6))
    product_s = time.perf_counter() - began
    print(f"{len(sentences)} sentences: stock sumy LexRank {stock_s:.2f} s, vectorised LexRank "
          f"{fast_s:.3f} s ({stock_s / fast_s:.0f}x), summarize_story (all sentences as candidates) "
          f"{product_s:.3f} s ({stock_s / product_s:.0f}x)")
    print(f"agreement on {len(sentences)} sentences: top-10 overlap {top_overlap(stock, fast, 10):.2f}, "
          f"top-50 {top_overlap(stock, fast, 50):.2f}, largest rating difference "
          f"{float(np.abs(stock - fast).max()):.2e}")

    # Small inputs: every story of the set up to 120 sentences, ranked by both.
    same_top5 = total = 0
    worst = 0.0
    for docs in clusters:
        small = [t[s:e] for t in docs for s, e in sentence_spans(t)]
        if not 5 <= len(small) <= 120:
            continue
        document = document_of(small)
        a, _ = ratings(LexRankSummarizer, document)
        b, _ = ratings(FastLexRankSummarizer, document)
        total += 1
        same_top5 += top_overlap(a, b, 5) == 1.0
        worst = max(worst, float(np.abs(a - b).max()))
    print(f"small stories: {same_top5}/{total} have the same top-5 sentences under stock and vectorised "
          f"LexRank; largest rating difference {worst:.2e}")
    print(f"peak memory of the whole run {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
