"""The one options object, built once: defaults -> config file -> environment -> command line.

The config file is TOML at ``$BRIEFING_HOME/config.toml``. Each ``[section]`` fills the
frozen options dataclass of one stage (``[fetch]`` -> ``FetchOptions`` and so on);
``[[feeds]]`` is the feed list. Any field can be overridden from the environment as
``BRIEFING_<SECTION>_<FIELD>`` (for instance ``BRIEFING_SMTP_HOST``), and command-line
flags override both. Stages receive the part they need and never read settings on
their own.
"""
from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ConfigError, Origin
from core.settings import section_values

DEFAULT_HOME = Path("~/.local/share/briefing")


def home_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The data directory: ``$BRIEFING_HOME``, else ``~/.local/share/briefing``."""
    environ = os.environ if environ is None else environ
    raw = environ.get("BRIEFING_HOME") or str(DEFAULT_HOME)
    return Path(raw).expanduser()


@dataclass(frozen=True)
class GeneralOptions:
    """Settings of the briefing as a whole (the ``[briefing]`` section)."""

    title: str = "Diplomacy briefing"
    timezone: str = "UTC"
    max_stories: int = 20
    min_sources: int = 1
    topic_profile: str = "diplomacy"
    # How far back, in hours, stored articles are used as context for grouping, so
    # that a story that continues from earlier days keeps its identity.
    context_hours: int = 168
    base_url: str = ""
    quiet_day: str = "send"  # "send" a short no-news briefing, or "skip"


# Where each section's settings class lives. A class is imported when its section is first
# used, so that a command which lists, searches or sends never loads the grouping and
# summarising stack (scikit-learn, nltk) only to read settings it does not use.
SECTIONS = {
    "briefing": "core.options:GeneralOptions",
    "fetch": "feeds.fetch:FetchOptions",
    "clean": "feeds.clean:CleanOptions",
    "grouping": "summarize.group:GroupingOptions",
    "dedup": "summarize.dedup:DedupOptions",
    "summary": "summarize.summary:SummaryOptions",
    "smtp": "delivery.options:SmtpOptions",
    "schedule": "delivery.options:ScheduleOptions",
    "subscribers": "delivery.options:SubscriberOptions",
    "serve": "archive.options:ServeOptions",
}


def section_class(name: str) -> type:
    """The settings class of one config section (imported on demand)."""
    import importlib
    module, _, attr = SECTIONS[name].partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class _Pending:
    """One section's values as gathered from the file, environment and flags, not yet checked."""

    name: str
    where: str
    values: Mapping[str, Any]  # from the config file
    origins: Mapping[str, Origin]
    environ: Mapping[str, str]  # every BRIEFING_{SECTION}_* variable; the class says which are settings
    later: Mapping[str, tuple[Any, Origin]]  # short aliases and flags, applied after the environment

    def make(self) -> Any:
        cls = section_class(self.name)
        values, origins = dict(self.values), dict(self.origins)
        for f in dataclasses.fields(cls):
            key = f"BRIEFING_{self.name.upper()}_{f.name.upper()}"
            if key in self.environ:
                values[f.name], origins[f.name] = self.environ[key], Origin("env", key)
        for key, (value, origin) in self.later.items():
            values[key], origins[key] = value, origin
        return section_values(cls, values, self.where, origins, self.name)


class Sections(Mapping):
    """The config's sections, each made (its class imported, its values checked) when first used."""

    def __init__(self, pending: Mapping[str, Any]) -> None:
        self._pending = dict(pending)  # name -> _Pending, or the section already made
        self._made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._made:
            held = self._pending[name]
            self._made[name] = held.make() if isinstance(held, _Pending) else held
        return self._made[name]

    def __iter__(self):
        return iter(self._pending)

    def __len__(self) -> int:
        return len(self._pending)

    def updated(self, name: str, value: Any) -> "Sections":
        """A copy with one section replaced; the others stay as they are (made or not)."""
        copy = Sections({**self._pending, **self._made, name: value})
        return copy


# Short environment names the delivery settings are documented under.
ENV_ALIASES = {"BRIEFING_FROM": ("smtp", "sender"), "BRIEFING_TO": ("smtp", "to")}


@dataclass(frozen=True)
class Options:
    """Everything a run needs to know, carried through the pipeline."""

    home: Path
    sections: Mapping[str, Any] = field(default_factory=dict)
    feeds: tuple = ()
    outlets: tuple = ()  # the user's [[outlets]] registry entries (feeds.outlets.Outlet)

    @property
    def config_path(self) -> Path:
        """Where the TOML config lives."""
        return self.home / "config.toml"

    @property
    def db_path(self) -> Path:
        """The SQLite database file."""
        return self.home / "briefing.db"

    @property
    def archive_dir(self) -> Path:
        """Where each day's briefing is archived, one folder per date."""
        return self.home / "archive"

    @property
    def site_dir(self) -> Path:
        """Where the browsable static site is generated."""
        return self.home / "site"

    def __getattr__(self, name: str) -> Any:
        sections = object.__getattribute__(self, "sections")
        if name in sections:
            return sections[name]
        raise AttributeError(name)

    def replace(self, section: str, **changes: Any) -> "Options":
        """A copy with some fields of one section changed (used for command-line flags)."""
        value = dataclasses.replace(self.sections[section], **changes)
        if isinstance(self.sections, Sections):
            return dataclasses.replace(self, sections=self.sections.updated(section, value))
        return dataclasses.replace(self, sections={**self.sections, section: value})


def key_lines(text: str) -> dict[tuple[str, str], int]:
    """Line numbers of the keys of a TOML text: ``(table, key) -> line`` (1-based).

    ``tomllib`` gives no positions, so the text is scanned: ``[table]`` headers, ``[[feeds]]``
    entries (as ``feeds#1``, ``feeds#2``, ...) and ``key = value`` lines. The table itself is
    under the key "". Keys inside multi-line strings may be mistaken; only used for messages.
    """
    import re

    header = re.compile(r"^\s*\[(\[)?\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(?:#.*)?$")
    assignment = re.compile(r"^\s*[\"']?([A-Za-z0-9_\-]+)[\"']?\s*(?:\.[^=]*)?=")
    lines: dict[tuple[str, str], int] = {}
    table = ""
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            name = match.group(2).strip().strip("\"'")
            if match.group(1):
                counts[name] = counts.get(name, 0) + 1
                name = f"{name}#{counts[name]}"
            table = name
            lines.setdefault((table, ""), number)
            continue
        match = assignment.match(line)
        if match:
            lines.setdefault((table, match.group(1)), number)
    return lines


def read_config_file(path: Path) -> dict[str, Any]:
    """Read the TOML config; a missing file is an empty config."""
    return read_config(path)[0]


def read_config(path: Path) -> tuple[dict[str, Any], dict[tuple[str, str], int]]:
    """The TOML config and the line of each key (see ``key_lines``); a missing file is empty."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}, {}
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a folder, not a file",
                          hint="remove the folder or point BRIEFING_HOME elsewhere") from None
    except OSError as exc:
        raise ConfigError(f"config file {path}: cannot read: {exc.strerror or exc}",
                          hint="check the file's permissions") from None
    try:
        text = data.decode("utf-8-sig")
        return tomllib.loads(text), key_lines(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path}: not UTF-8 text (byte at offset {exc.start})",
                          hint=f"save {path} as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: not valid TOML: {exc}",
                          hint=f"fix the line named, or move {path} aside and run briefing.py init") from None


def check_home(home: Path, origin: Origin | None = None) -> Path:
    """The data directory, created if need be; ``ConfigError`` naming ``origin`` when it cannot be used."""
    label = str(origin) if origin else "data directory"
    try:
        if home.exists() and not home.is_dir():
            raise ConfigError(f"{label}: {home} is a file, not a folder",
                              hint=f"point {_home_setting(origin)} at a folder")
        home.mkdir(parents=True, exist_ok=True)
        probe = home / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except ConfigError:
        raise
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"{label}: cannot write in {home} ({why})",
                          hint=f"point {_home_setting(origin)} at a folder you can write to") from None
    return home


def _home_setting(origin: Origin | None) -> str:
    return origin.name if origin is not None and origin.kind in ("env", "flag") else "BRIEFING_HOME"


def home_origin(environ: Mapping[str, str] | None = None) -> Origin:
    """Where the data directory was chosen: the environment, or the default."""
    environ = os.environ if environ is None else environ
    if environ.get("BRIEFING_HOME"):
        return Origin("env", "BRIEFING_HOME")
    return Origin("default", f"default data directory {DEFAULT_HOME}")


def load_options(environ: Mapping[str, str] | None = None,
                 overrides: Mapping[str, Mapping[str, Any]] | None = None,
                 home: Path | None = None, check: Iterable[str] | None = None) -> Options:
    """Build the options: defaults, then the config file, then the environment, then ``overrides``.

    ``overrides`` maps section name -> {field: value}, from command-line flags. Every value
    is checked as it enters; a bad one raises ``ConfigError`` naming where it came from
    (config file and line, environment variable, flag) and what would be valid. ``check``
    names the sections to check now (default: all); the others are checked, and their
    classes imported, when first used, which keeps a light command light.
    """
    environ = os.environ if environ is None else environ
    home = home or home_dir(environ)
    config_path = home / "config.toml"
    raw, lines = read_config(config_path)
    merged: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    origins: dict[str, dict[str, Origin]] = {name: {} for name in SECTIONS}
    later: dict[str, dict[str, tuple[Any, Origin]]] = {name: {} for name in SECTIONS}
    for name, values in raw.items():
        if name in ("feeds", "outlets"):
            continue
        if name not in SECTIONS:
            close = difflib.get_close_matches(name, sorted(SECTIONS), n=1)
            maybe = f" (did you mean [{close[0]}]?)" if close else ""
            origin = Origin("file", f"[{name}]", config_path, lines.get((name, "")))
            raise ConfigError(f"{origin}: unknown section{maybe}; known: {', '.join(sorted(SECTIONS))}, feeds, outlets",
                              origin=origin)
        if not isinstance(values, dict):
            origin = Origin("file", name, config_path, lines.get(("", name)))
            raise ConfigError(f"{origin}: must be a [{name}] table of settings", origin=origin)
        merged[name].update(values)
        for key, value in values.items():
            origins[name][key] = Origin("file", f"[{name}] {key}", config_path, lines.get((name, key)))
            if isinstance(value, dict):  # a sub-table such as [grouping.weighting]
                for sub in value:
                    origins[name][f"{key}.{sub}"] = Origin("file", f"[{name}.{key}] {sub}", config_path,
                                                           lines.get((f"{name}.{key}", sub)) or lines.get((name, key)))
    for key, (name, fld) in ENV_ALIASES.items():
        if key in environ:
            later[name][fld] = (environ[key], Origin("env", key))
    for name, values in (overrides or {}).items():
        for key, value in values.items():
            if value is not None:
                later[name][key] = (value, Origin("flag", f"--{key.replace('_', '-')}"))
    sections = Sections({
        name: _Pending(name, f"{config_path} [{name}]", merged[name], origins[name],
                       {k: v for k, v in environ.items() if k.startswith(f"BRIEFING_{name.upper()}_")}, later[name])
        for name in SECTIONS})
    for name in SECTIONS if check is None else check:
        sections[name]
    feeds = feed_specs(raw.get("feeds", []), config_path, lines)
    from feeds.outlets import outlet_entries
    return Options(home=home, sections=sections, feeds=feeds, outlets=outlet_entries(raw.get("outlets"), config_path))


def feed_specs(entries: Any, where: Path, lines: Mapping[tuple[str, str], int] | None = None) -> tuple:
    """Turn the ``[[feeds]]`` tables of the config into feed specs, checking each."""
    from feeds.feedspec import FeedSpec, feed_url

    lines = lines or {}
    if not isinstance(entries, list):
        origin = Origin("file", "feeds", where, lines.get(("", "feeds")))
        raise ConfigError(f"{origin}: 'feeds' must be a list of [[feeds]] tables", origin=origin)
    specs = []
    for number, entry in enumerate(entries, start=1):
        table = f"feeds#{number}"
        at = Origin("file", f"feed #{number}", where, lines.get((table, "url")) or lines.get((table, "")))
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise ConfigError(f"{at}: needs a url = \"https://...\" line", origin=at)
        try:
            url = feed_url(entry["url"])
        except ConfigError as exc:
            raise ConfigError(f"{at}: {exc}", origin=at) from None
        origins = {key: Origin("file", f"feed #{number} {key}", where, lines.get((table, key)) or at.line)
                   for key in entry}
        specs.append(section_values(FeedSpec, {**entry, "url": url}, f"{where} feed #{number}", origins, "feeds"))
    return tuple(specs)
