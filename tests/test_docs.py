"""The README documents every command and keeps its two-command quickstart."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import briefing

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(briefing.COMMANDS))
def test_each_command_is_documented(command):
    assert re.search(rf"briefing\.py {command}\b", README), f"README does not mention `briefing.py {command}`"


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_same_tests():
    block = README.split("## Quickstart", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert commands[1].strip() in ci
