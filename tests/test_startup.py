"""Everyday commands answer at once: listing, searching and subscriber commands start
without the grouping and summarising stack (scikit-learn, nltk), which takes seconds to load."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sklearn", "scipy", "nltk", "sumy", "summarize", "trafilatura", "httpx", "tomlkit")

# Runs briefing.main as the command line does, then prints the top-level modules it loaded.
PROBE = """
import sys
sys.path.insert(0, {root!r})
import briefing
code = briefing.main(sys.argv[1:])
sys.stdout.flush()
print("MODULES", " ".join(sorted({{m.split('.')[0] for m in sys.modules}})))
sys.exit(code)
"""


def loaded(home: Path, *argv: str, extra: dict | None = None) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env["BRIEFING_HOME"] = str(home)
    env.update(extra or {})
    done = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT)), *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("MODULES "))
    return set(line.split()[1:])


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    """A home with the starter config (its [fetch] and [summary] sections) and an archived briefing."""
    home = tmp_path_factory.mktemp("startup") / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env["BRIEFING_HOME"] = str(home)
    main = [sys.executable, str(ROOT / "briefing.py"), "-q"]
    subprocess.run([*main, "demo", "--home", str(home)], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*main, "init", "--force"], cwd=ROOT, env=env, check=True, capture_output=True)
    return home


@pytest.mark.parametrize("argv", [("archive", "list"), ("feeds", "list"), ("search", "ceasefire"),
                                  ("subscribers", "list")])
def test_listing_commands_do_not_load_the_grouping_stack(configured, argv):
    modules = loaded(configured, *argv)
    assert "cli" in modules and "core" in modules  # the probe did run the command
    assert not modules & set(HEAVY), f"{' '.join(argv)} loaded {sorted(modules & set(HEAVY))}"


def test_send_does_not_load_the_grouping_stack_either(configured, tmp_path):
    day = sorted(p.name for p in (configured / "archive").iterdir() if p.name[:2] == "20")[-1]
    modules = loaded(configured, "-q", "send", "--date", day, "--dry-run", str(tmp_path / "out"),
                     extra={"BRIEFING_FROM": "desk@example.org", "BRIEFING_TO": "ann@example.org"})
    assert len(list((tmp_path / "out").glob("*.eml"))) == 1
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_build_still_loads_what_it_needs_and_checks_every_setting(configured, tmp_path):
    # The light path must not leave a bad setting unseen where it matters: build checks it.
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("[grouping]\nthreshold = 'high'\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env["BRIEFING_HOME"] = str(home)
    done = subprocess.run([sys.executable, str(ROOT / "briefing.py"), "build"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "[grouping] threshold" in done.stderr, done.stderr


def test_subscriber_commands_do_not_load_the_message_templates(configured):
    # Listing who is subscribed needs the delivery record, not jinja2, MJML or SMTP.
    modules = loaded(configured, "subscribers", "list")
    assert not modules & {"jinja2", "mjml", "smtplib", "templates"}, sorted(modules & {"jinja2", "mjml", "smtplib", "templates"})


def test_listing_the_archive_does_not_load_the_page_templates(configured):
    # A list of dates needs the archive's table, not jinja2 and MJML (only a removal rebuilds the site).
    modules = loaded(configured, "archive", "list")
    assert not modules & {"jinja2", "mjml", "templates"}, sorted(modules & {"jinja2", "mjml", "templates"})
