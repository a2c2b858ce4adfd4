"""Crashes: SIGKILL at random moments of fetch, build and send (a dozen kills; bench/crash.py does 60).

Real loopback HTTP and SMTP servers in their own process; each job a forked child killed
mid-work. After every kill the database passes ``PRAGMA integrity_check``, no committed
article is missing, no briefing file is half-written and no mail is truncated or sent
twice; clean runs afterwards bring in every feed item and every delivery.
"""
from __future__ import annotations

import sys

import pytest

from tests.crashkit import PHASES, RECIPIENTS, crash_run

pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "fork") or sys.platform == "darwin",
                                reason="needs os.fork (Linux)")


def test_a_dozen_kills_lose_nothing(tmp_path):
    report = crash_run(tmp_path, kills=12, seed=20251123, feeds=4, items_per_round=5)
    assert report.problems == []
    assert report.total_kills >= 12 and all(report.kills[phase] >= 4 for phase in PHASES), report.kills
    assert report.articles_checked > 0 and report.briefings_checked > 0
    # The clean runs at the end bring in everything: every item served, every delivery made.
    assert report.items_served > 0 and report.articles_stored == report.items_served
    assert report.deliveries_made == report.deliveries_expected >= len(RECIPIENTS)
    assert report.same_message_again == 0, "a recipient got the same briefing twice"
