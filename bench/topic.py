"""Topic relevance measurement: score each item with the default profile, say diplomacy or not.

Reads JSON lines {id, title, text, ...} (the ``label`` field is never read) and writes
{id, diplomacy: bool} for ``../shared/eval/score.py topic``.

Example:
    python -m bench topic --input ../shared/eval/relevance/wcep-silver.jsonl --output /tmp/topic.jsonl
    python ../shared/eval/score.py topic ../shared/eval/relevance/wcep-silver.jsonl /tmp/topic.jsonl --anchors
"""
from __future__ import annotations

import json
import logging

from summarize.topic import is_relevant, load_profile, score_text

log = logging.getLogger(__name__)


def main(input_path: str, output_path: str) -> int:
    """Write one {id, diplomacy} line per input item; return how many were written."""
    profile = load_profile(None)
    count = 0
    with open(input_path, encoding="utf-8") as src, open(output_path, "w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            item = json.loads(line)
            score = score_text(item.get("title", ""), item.get("text", ""), profile)
            out.write(json.dumps({"id": item["id"], "diplomacy": is_relevant(score, profile),
                                  "score": score}) + "\n")
            count += 1
    log.info("scored %d items with profile %r", count, profile.name)
    return count
