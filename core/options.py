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
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ConfigError

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


def _sections() -> dict[str, type]:
    # Imported here so that importing core.options stays cheap and free of cycles.
    from delivery.options import ScheduleOptions, SmtpOptions, SubscriberOptions
    from feeds.clean import CleanOptions
    from feeds.fetch import FetchOptions
    from summarize.dedup import DedupOptions
    from summarize.group import GroupingOptions
    from summarize.summary import SummaryOptions

    return {
        "briefing": GeneralOptions,
        "fetch": FetchOptions,
        "clean": CleanOptions,
        "grouping": GroupingOptions,
        "dedup": DedupOptions,
        "summary": SummaryOptions,
        "smtp": SmtpOptions,
        "schedule": ScheduleOptions,
        "subscribers": SubscriberOptions,
    }


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
        sections = dict(self.sections)
        sections[section] = dataclasses.replace(sections[section], **changes)
        return dataclasses.replace(self, sections=sections)


def _coerce(value: Any, annotation: Any, where: str) -> Any:
    """Turn a TOML or environment value into the type a dataclass field declares."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if value is None or (isinstance(value, str) and value == "" and type(None) in args):
            return None
        last: Exception | None = None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, where)
            except ConfigError as exc:
                last = exc
        raise last or ConfigError(f"{where}: cannot use {value!r}")
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a table of settings, got {value!r}")
        return _section(annotation, value, where)
    try:
        if annotation is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if annotation in (int, float):
            if isinstance(value, bool):
                raise ValueError(value)
            return annotation(value)
        if annotation is str:
            if isinstance(value, (dict, list)):
                raise ValueError(value)
            return str(value)
        if annotation is Path:
            return Path(str(value)).expanduser()
        if origin is tuple:
            items = value.split(",") if isinstance(value, str) else list(value)
            inner = args[0] if args else str
            return tuple(_coerce(item.strip() if isinstance(item, str) else item, inner, where)
                         for item in items if not (isinstance(item, str) and not item.strip()))
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a valid {getattr(annotation, '__name__', annotation)}") from None
    return value


def _section(cls: type, values: Mapping[str, Any], where: str) -> Any:
    known = {f.name for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return cls(**{k: _coerce(v, hints[k], f"{where}.{k}") for k, v in values.items()})


def read_config_file(path: Path) -> dict[str, Any]:
    """Read the TOML config; a missing file is an empty config."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def load_options(environ: Mapping[str, str] | None = None,
                 overrides: Mapping[str, Mapping[str, Any]] | None = None,
                 home: Path | None = None) -> Options:
    """Build the options: defaults, then the config file, then the environment, then ``overrides``.

    ``overrides`` maps section name -> {field: value}, from command-line flags.
    """
    environ = os.environ if environ is None else environ
    home = home or home_dir(environ)
    config_path = home / "config.toml"
    raw = read_config_file(config_path)
    classes = _sections()
    merged: dict[str, dict[str, Any]] = {name: {} for name in classes}
    for name, values in raw.items():
        if name in ("feeds", "outlets"):
            continue
        if name not in classes:
            raise ConfigError(f"{config_path}: unknown section [{name}]; known: {', '.join(sorted(classes))}, feeds, outlets")
        if not isinstance(values, dict):
            raise ConfigError(f"{config_path}: [{name}] must be a table")
        merged[name].update(values)
    for name, cls in classes.items():
        for f in dataclasses.fields(cls):
            key = f"BRIEFING_{name.upper()}_{f.name.upper()}"
            if key in environ:
                merged[name][f.name] = environ[key]
    for key, (name, fld) in ENV_ALIASES.items():
        if key in environ:
            merged[name][fld] = environ[key]
    for name, values in (overrides or {}).items():
        merged[name].update({k: v for k, v in values.items() if v is not None})
    sections = {name: _section(cls, merged[name], f"{config_path} [{name}]") for name, cls in classes.items()}
    feeds = feed_specs(raw.get("feeds", []), config_path)
    from feeds.outlets import outlet_entries
    return Options(home=home, sections=sections, feeds=feeds, outlets=outlet_entries(raw.get("outlets"), config_path))


def feed_specs(entries: Any, where: Path) -> tuple:
    """Turn the ``[[feeds]]`` tables of the config into feed specs, checking each."""
    from feeds.fetch import FeedSpec

    if not isinstance(entries, list):
        raise ConfigError(f"{where}: 'feeds' must be a list of [[feeds]] tables")
    specs = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise ConfigError(f"{where}: feed #{number} needs a url")
        specs.append(_section(FeedSpec, entry, f"{where} feed #{number}"))
    return tuple(specs)
