"""A blind pairwise reader panel: two versions of the summaries, on the clusters where they differ.

The three-way panel of ``../shared/eval/panel`` compares our summary with two anchors on 30
random clusters; most of them are the same under two versions of the code, so it cannot tell
whether a change helped. This one shows a judge, for every cluster whose summary changed,
the reference and the two versions as A and B in a random order, and asks which one they
would rather receive.

    python -m bench readability --input ../shared/eval/summarization/multinews.jsonl --output /tmp/old.jsonl
    (same from the changed tree to /tmp/new.jsonl)
    python -m bench.pairpanel make ../shared/eval/summarization/multinews.jsonl /tmp/old.jsonl /tmp/new.jsonl /tmp/pp --seed N
    (copy /tmp/pp/panel.md alone into a folder; a judge writes {"item", "better": "A"|"B"|"same", "note"} lines)
    python -m bench.pairpanel tally /tmp/pp/key.json judge.jsonl [judge2.jsonl ...]
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def _summaries(path: str) -> dict[str, str]:
    """Cluster id -> the summary's text, from a ``bench readability`` output file."""
    out = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            out[record["id"]] = " ".join(s["text"] for s in record["sentences"])
    return out


def make(references: str, old: str, new: str, folder: str, seed: int) -> int:
    """Write ``panel.md`` and ``key.json`` into ``folder``; return the number of items."""
    with open(references, encoding="utf-8") as lines:
        reference = {r["id"]: r["summary"] for r in map(json.loads, lines)}
    before, after = _summaries(old), _summaries(new)
    ids = sorted(i for i in before if i in after and before[i] != after[i])
    rng = random.Random(seed)
    rng.shuffle(ids)
    key, text = {}, ["# Pairwise reader panel\n"]
    for number, cluster in enumerate(ids, start=1):
        new_first = rng.random() < 0.5
        first, second = (after, before) if new_first else (before, after)
        key[number] = {"id": cluster, "A": "new" if new_first else "old", "B": "old" if new_first else "new"}
        text += [f"## Item {number}\n", "What happened (a reference summary written by a person):\n",
                 "> " + " ".join(reference[cluster].split()) + "\n",
                 "### A\n", first[cluster] + "\n", "### B\n", second[cluster] + "\n"]
    Path(folder).mkdir(parents=True, exist_ok=True)
    Path(folder, "panel.md").write_text("\n".join(text), encoding="utf-8")
    Path(folder, "key.json").write_text(json.dumps(key, indent=1), encoding="utf-8")
    return len(ids)


def tally(key_path: str, judgements: list[str]) -> dict[str, int]:
    """Print how often the new version, the old one or neither was preferred, and the notes where the old won."""
    key = json.loads(Path(key_path).read_text(encoding="utf-8"))
    wins = {"new": 0, "old": 0, "same": 0}
    notes = []
    for path in judgements:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            verdict = json.loads(line)
            item = key[str(verdict["item"])]
            side = "same" if verdict["better"] == "same" else item[verdict["better"]]
            wins[side] += 1
            if side == "old":
                notes.append(f"{item['id']}: {verdict.get('note', '')}")
    print(f"new preferred {wins['new']}, old preferred {wins['old']}, same {wins['same']}")
    print("\n".join(notes))
    return wins


def main(argv: list[str] | None = None) -> int:
    """Command line: ``make`` a panel or ``tally`` judgements."""
    parser = argparse.ArgumentParser(prog="python -m bench.pairpanel", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("make", help="write panel.md and key.json")
    made.add_argument("references")
    made.add_argument("old")
    made.add_argument("new")
    made.add_argument("folder")
    made.add_argument("--seed", type=int, default=1)
    counted = commands.add_parser("tally", help="count the judges' preferences")
    counted.add_argument("key")
    counted.add_argument("judgements", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "make":
        print(make(args.references, args.old, args.new, args.folder, args.seed), "items ->", args.folder)
    else:
        tally(args.key, args.judgements)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
