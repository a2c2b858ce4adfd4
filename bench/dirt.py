"""Count the summary sentences that are not clean prose (issue 19), kind by kind.

Reads the predictions ``python -m bench readability`` writes (``{id, sentences: [{text, ...}]}``)
and counts the sentences that show each kind of dirt a reader notices: characters nobody sees,
two sentences glued without a space, a wire dateline or a heading in capitals left before the
text, a picture's web credit, a paper's reference numbers, an editor's or update note, a
"has the details" promotion or "click here" link, a writer's biography, a name's pop-up card of
linked headlines ("... MORE"), and a grave accent typed for an apostrophe. The patterns are
shapes of such text, not phrases of any data set; they over-count a little (read the sentences
with ``--show``).

Example:
    python -m bench readability --input ../shared/eval/summarization/multinews.jsonl --output /tmp/r.jsonl
    python -m bench.dirt /tmp/r.jsonl --show
"""
from __future__ import annotations

import argparse
import json
import re
import sys

KINDS = {
    "invisible": re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]"),
    "glued": re.compile(r"[a-z\d)][.!?][\"\u201d\u2019']*[A-Z][a-z]|[.!?][\"\u201d]['\"\u2018\u201c]?[A-Z]"),
    "dateline": re.compile(r"(?:^|\s)[A-Z]{3,}[A-Z .,/'-]*(?:,\s+[A-Z][a-z.]+)*(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*"
                           r"(?:\([A-Z][\w&.' -]{1,30}\)\s*[-\u2013\u2014]*|[-\u2013\u2014]{1,2})\s+[A-Z\"\u201c]"
                           r"|^[A-Z]{3,}(?:/[A-Z]{3,})+\s|^[A-Z]{3,}, [A-Z][a-z]{1,4}\. [A-Z]"),
    "caps heading": re.compile(r"^(?:[A-Z\d][A-Z\d&'/.,-]*\s+){2,}(?=[A-Z][a-z])"),
    "web credit": re.compile(r"^[A-Z\d-]+\.(?:COM|NET|ORG|CO\.UK|TV)\b"),
    "citation": re.compile(r"[.!?]\s+\d+\s*(?:,\s*\d+\s*)+[A-Z]"),
    "note": re.compile(r"(?i)\bthe following (?:is|was)\b|editor'?s note|this (?:story|article|post) (?:has been|was) "
                       r"(?:updated|corrected)|^updated? (?:at|on)\b|^correction\b|contributed to this|^\(?update\b"),
    "link or promotion": re.compile(r"(?i)\bread more\b|^related\b|^more:|^see also\b|\bclick here\b|"
                                    r"\bhas the (?:details|story|latest|full story)\b|^below is\b|^a post shared by"),
    "byline": re.compile(r"(?i)\bstaff writer\.|\bfollow (?:him|her|them) on\b|^contact (?:him|her) at"),
    "pop-up card": re.compile(r"\sMORE\s+[a-z]"),
    "backtick": re.compile(r"[a-z]`[a-z]"),
}


def count(path: str, show: bool = False) -> tuple[dict[str, int], int]:
    """Per kind, how many summary sentences of ``path`` show it; and how many sentences there are."""
    counts = {kind: 0 for kind in KINDS}
    total = 0
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            cluster = json.loads(line)
            for sentence in cluster.get("sentences") or []:
                total += 1
                for kind, pattern in KINDS.items():
                    if pattern.search(sentence["text"]):
                        counts[kind] += 1
                        if show:
                            print(f"{cluster['id']}\t{kind}\t{sentence['text'][:200]!r}")
    return counts, total


def main(argv: list[str] | None = None) -> int:
    """Print the counts for one predictions file."""
    parser = argparse.ArgumentParser(prog="python -m bench.dirt", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("predictions", help="JSON lines written by `python -m bench readability`")
    parser.add_argument("--show", action="store_true", help="print each sentence counted")
    args = parser.parse_args(argv)
    counts, total = count(args.predictions, args.show)
    print(f"{total} sentences; " + ", ".join(f"{kind} {n}" for kind, n in counts.items())
          + f"; dirty {sum(counts.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
