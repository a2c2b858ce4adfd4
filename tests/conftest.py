"""Shared fixtures: a fresh data directory per test, and small articles written for these tests."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from core.models import Article


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh BRIEFING_HOME; environment settings of the machine are cleared."""
    import os
    for key in list(os.environ):
        if key.startswith("BRIEFING_"):
            monkeypatch.delenv(key)
    path = tmp_path / "home"
    monkeypatch.setenv("BRIEFING_HOME", str(path))
    return path


def make_article(n: int, text: str = "", outlet: str = "Test Outlet", title: str = "",
                 published: datetime | None = None, url: str | None = None) -> Article:
    """An article with predictable fields for store and pipeline tests."""
    return Article(
        id=url or f"https://news.example/{n}",
        title=title or f"Headline number {n}",
        text=text or f"Body of article {n}. It has two sentences.",
        outlet=outlet,
        published=published or datetime(2025, 6, 24, 12, 0, tzinfo=timezone.utc),
        url=url or f"https://news.example/{n}",
    )


CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                                     "(apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright, launched once per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()
