"""Extraction benchmark: clean each stored page text and write its article body.

Reads ``pagetext.jsonl`` ({id, url, text}, the page's visible text one block a line) and writes
``{"id", "body"}`` lines for ``../shared/eval/score.py extraction``.  Pages are grouped by site host so
lines recurring across pages of one site can be passed as ``site_lines``, the same signal the product
uses when it imports a batch of stored pages.

Example:
    python -m bench extract --input ../shared/eval/extraction/pagetext.jsonl --output /tmp/extract.jsonl
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from urllib.parse import urlsplit

from feeds.clean import clean_page_text, repeated_lines

log = logging.getLogger(__name__)


def _site(url: str) -> str:
    host = (urlsplit(url or "").hostname or "").casefold()
    return host.removeprefix("www.")


def _title(text: str) -> str | None:
    """The page's first non-empty line, which is the document title in stored page text."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None


def main(input_path: str, output_path: str) -> int:
    """Clean every page of ``input_path`` and write its body to ``output_path``; return the count."""
    with open(input_path, encoding="utf-8") as f:
        pages = [json.loads(line) for line in f if line.strip()]
    by_site: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        by_site[_site(page.get("url", ""))].append(page.get("text", ""))
    site_lines = {site: repeated_lines(texts) if len(texts) > 1 else frozenset()
                  for site, texts in by_site.items()}
    written = 0
    with open(output_path, "w", encoding="utf-8") as out:
        for page in pages:
            text = page.get("text", "")
            body = clean_page_text(text, title=_title(text),
                                   site_lines=site_lines[_site(page.get("url", ""))])
            out.write(json.dumps({"id": page["id"], "body": body}, ensure_ascii=False) + "\n")
            written += 1
    log.info("extract: cleaned %d pages", written)
    return written
