"""Measurement entry: ``python -m bench TASK --input F --output G``.

Each task runs the product's own code over an evaluation file and writes the JSON
lines that ``../shared/eval/score.py`` reads. Tasks:

    extract    pagetext.jsonl {id,url,text}        -> {id, body}
    group      basil.jsonl / newswcl50.jsonl       -> {id, story}
    summarize  multinews.jsonl {id,documents}      -> {id, summary}
    readability multinews.jsonl {id,documents}     -> {id, sentences: [{text, doc, position}]}
    topic      wcep-silver.jsonl / articles.jsonl  -> {id, diplomacy}

    startup    how long the everyday commands take to answer (no --input/--output)
    serve      load on `briefing.py serve` over the demo archive (no --input/--output)

Example:
    python -m bench extract --input ../shared/eval/extraction/pagetext.jsonl --output /tmp/extract.jsonl
    python ../shared/eval/score.py extraction ../shared/eval/extraction/gold.jsonl /tmp/extract.jsonl
"""
from __future__ import annotations

import argparse
import importlib
import sys

TASKS = {
    "extract": "bench.extract",
    "group": "bench.group",
    "summarize": "bench.summarize",
    "readability": "bench.readability",
    "topic": "bench.topic",
}

# Measurements with their own arguments: ``python -m bench NAME [its options]``.
STANDALONE = {
    "startup": "bench.startup",
    "serve": "bench.serve",
}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one measurement task."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in STANDALONE:
        return importlib.import_module(STANDALONE[argv[0]]).main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--input", required=True, help="evaluation JSON lines to read")
    parser.add_argument("--output", required=True, help="prediction JSON lines to write")
    args = parser.parse_args(argv)
    module = importlib.import_module(TASKS[args.task])
    count = module.main(args.input, args.output)
    print(f"{args.task}: wrote {count} predictions to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
