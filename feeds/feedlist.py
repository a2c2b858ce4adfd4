"""Editing the ``[[feeds]]`` list of the TOML config, keeping the user's comments and layout."""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import tomlkit

from core.errors import ConfigError
from feeds.feedspec import feed_url
from feeds.urls import canonical_url


def _load(path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return tomlkit.document()
    except Exception as exc:  # tomlkit raises its own parse errors
        raise ConfigError(f"config file {path}: not valid TOML: {exc}",
                          hint=f"fix the line named, or move {path} aside and run briefing.py init") from None


def _save(path: Path, doc: tomlkit.TOMLDocument) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".toml.tmp")
    temp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    os.replace(temp, path)


_check_url = feed_url


def add_feeds(path: Path, feeds: Sequence[tuple[str, str, bool]]) -> list[str]:
    """Add (url, name, fetch_pages) feeds not already listed; return the URLs added."""
    doc = _load(path)
    table = doc.get("feeds")
    if table is None:
        table = tomlkit.aot()
        doc.append("feeds", table)
    known = {canonical_url(str(entry.get("url", ""))) for entry in table}
    added = []
    for url, name, fetch_pages in feeds:
        url = _check_url(url)
        if canonical_url(url) in known:
            continue
        entry = tomlkit.table()
        entry["name"] = name or url
        entry["url"] = url
        if not fetch_pages:
            entry["fetch_pages"] = False
        table.append(entry)
        known.add(canonical_url(url))
        added.append(url)
    _save(path, doc)
    return added


def remove_feed(path: Path, url: str) -> bool:
    """Remove the feed with this URL; True if it was listed."""
    doc = _load(path)
    table = doc.get("feeds")
    if not table:
        return False
    target = canonical_url(url)
    keep = [entry for entry in table if canonical_url(str(entry.get("url", ""))) != target]
    if len(keep) == len(table):
        return False
    new = tomlkit.aot()
    for entry in keep:
        new.append(entry)
    doc["feeds"] = new
    _save(path, doc)
    return True


def replace_feed_url(path: Path, old: str, new: str) -> bool:
    """Point the feed listed as ``old`` at ``new`` (a permanent redirect), keeping its name
    and settings; True if the list changed. Nothing changes when ``new`` is listed already."""
    new = _check_url(new)
    doc = _load(path)
    table = doc.get("feeds")
    if not table:
        return False
    urls = {canonical_url(str(entry.get("url", ""))) for entry in table}
    if canonical_url(new) in urls:
        return False
    target = canonical_url(old)
    for entry in table:
        if canonical_url(str(entry.get("url", ""))) == target:
            entry["url"] = new
            _save(path, doc)
            return True
    return False
