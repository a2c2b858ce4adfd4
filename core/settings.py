"""What a setting's written value becomes, and what it must be.

A value from ``config.toml`` or the environment is turned into the type its option
dataclass declares (:func:`section_values`), then checked: every number within range, no
control characters, and the settings named in :data:`CHECKS` against their own rule (a
time zone, a port, a web address, a summary method, a topic profile). Each problem is a
``ConfigError`` that names the setting, where it was written and what would be right.
"""
from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from core.errors import ConfigError, Origin


def _coerce(value: Any, annotation: Any, where: str, origin: Origin | None = None,
            inner: Mapping[str, Origin] | None = None) -> Any:
    """Turn a TOML or environment value into the type a dataclass field declares."""
    origin_type = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin_type in (typing.Union, types.UnionType):
        if value is None or (isinstance(value, str) and value.strip() == "" and type(None) in args):
            return None
        last: Exception | None = None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, where, origin)
            except ConfigError as exc:
                last = exc
        raise last or ConfigError(f"{where}: cannot use {value!r}", origin=origin)
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a table of settings, got {value!r}", origin=origin)
        return section_values(annotation, value, where, inner)
    kind = getattr(annotation, "__name__", str(annotation))
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
            if isinstance(value, (bool, dict, list)):
                raise ValueError(value)
            if annotation is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            if annotation is int and isinstance(value, str):
                number = int(value.strip())
            else:
                number = annotation(value.strip() if isinstance(value, str) else value)
            if annotation is float and not math.isfinite(number):
                raise ValueError(value)
            return number
        if annotation is str:
            if isinstance(value, (dict, list)):
                raise ValueError(value)
            return str(value)
        if annotation is Path:
            return Path(str(value)).expanduser()
        if origin_type is tuple:
            items = value.split(",") if isinstance(value, str) else list(value) if isinstance(value, list) else None
            if items is None:
                raise ValueError(value)
            inner = args[0] if args else str
            return tuple(_coerce(item.strip() if isinstance(item, str) else item, inner, where, origin)
                         for item in items if not (isinstance(item, str) and not item.strip()))
    except (TypeError, ValueError, OverflowError):
        wanted = {"int": "a whole number", "float": "a finite number", "bool": "true or false",
                  "str": "a string", "tuple": "a list"}.get(kind, kind)
        raise ConfigError(f"{where}: {_shown(value)} is not valid; use {wanted}", origin=origin) from None
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# What a setting must be beyond its type. Keys are "section.field"; "*.field" applies in every
# section. Each check returns None when the value is fine, else what a valid one looks like.
def _timezone(value: str) -> str | None:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(value)
    except Exception:  # ZoneInfoNotFoundError, ValueError for paths, IsADirectoryError for "Europe"
        return 'use an IANA time zone name such as "Europe/London", "America/New_York" or "UTC"'
    return None


def _time_of_day(value: str) -> str | None:
    import re

    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return 'use a time of day as HH:MM, e.g. "07:00"'
    return None


def _one_of(*choices: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if value in choices else "use one of " + ", ".join(choices)
    return check


def _between(low: float, high: float) -> Callable[[float], str | None]:
    def check(value: float) -> str | None:
        return None if low <= value <= high else f"use a number from {low:g} to {high:g}"
    return check


def _web_address(value: str) -> str | None:
    from urllib.parse import urlsplit

    if not value:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        return 'use an http(s) address such as "https://briefing.example.org", or leave it empty'
    return None


def _summary_method(value: str) -> str | None:
    from summarize.summary import METHODS

    return None if value in METHODS else "use one of " + ", ".join(sorted(METHODS))


def _topic_profile(value: str) -> str | None:
    profiles = Path(__file__).resolve().parent.parent / "summarize" / "profiles"
    names = sorted(p.stem for p in profiles.glob("*.toml"))
    if value in names:
        return None
    path = Path(value).expanduser()
    if path.suffix == ".toml" and path.is_file():
        return None
    return f"use a packaged profile ({', '.join(names)}) or the path of an existing .toml profile file"


CHECKS: dict[str, Callable[[Any], str | None]] = {
    "*.timezone": _timezone,
    "*.port": _between(1, 65535),
    "briefing.quiet_day": _one_of("send", "skip"),
    "briefing.base_url": _web_address,
    "briefing.max_stories": _between(0, 1000),
    "briefing.min_sources": _between(1, 1000),
    "briefing.context_hours": _between(0, 24 * 366),
    "briefing.topic_profile": _topic_profile,
    "smtp.tls": _one_of("none", "starttls", "ssl"),
    "smtp.retries": _between(0, 100),
    "smtp.timeout": _between(0.001, 3600),
    "smtp.retry_delay": _between(0, 3600),
    "schedule.time": _time_of_day,
    "summary.method": _summary_method,
    "fetch.workers": _between(0, 64),
    "fetch.concurrency": _between(1, 1000),
    "fetch.page_concurrency": _between(1, 100),
    "fetch.timeout": _between(0.001, 3600),
    "fetch.connect_timeout": _between(0.001, 3600),
    "subscribers.pending_days": _between(0.01, 3650),
    "serve.threads": _between(1, 256),
    "serve.idle_timeout": _between(1, 3600),
    "serve.request_timeout": _between(1, 3600),
    "serve.connection_limit": _between(10, 100_000),
    "serve.backlog": _between(16, 65_535),
    "serve.max_header_bytes": _between(1024, 1_048_576),
}
# Every number in the settings is a count, a size, a duration, a share or a weight: none can
# be negative, and none needs to be astronomically large (a billion workers was a hang).
_NUMBER_LIMIT = 1e12


def _check(section: str, name: str, value: Any, where: str, origin: Origin | None) -> None:
    if isinstance(value, str):
        if any(ord(ch) < 32 and ch != "\t" or ch == "\x7f" for ch in value):
            raise ConfigError(f"{where}: {_shown(value)} has control characters; use plain text", origin=origin)
        if section == "schedule" and name == "timezone" and value == "":
            return  # empty: the [briefing] timezone
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 0 <= value <= _NUMBER_LIMIT:
            raise ConfigError(f"{where}: {_shown(value)} is out of range; use a number from 0 up", origin=origin)
    check = CHECKS.get(f"{section}.{name}") or CHECKS.get(f"*.{name}")
    if check is not None and value is not None:
        wanted = check(value)
        if wanted:
            raise ConfigError(f"{where}: {_shown(value)} is not valid; {wanted}", origin=origin)


def section_values(cls: type, values: Mapping[str, Any], where: str,
             origins: Mapping[str, Origin] | None = None, section: str = "") -> Any:
    """An instance of the option dataclass ``cls`` from the written ``values`` of its section:
    unknown names refused (with the closest known one), each value coerced and checked."""
    known = {f.name for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    origins = origins or {}
    unknown = sorted(set(values) - set(known))
    if unknown:
        first = origins.get(unknown[0])
        label = str(first) if first else f"{where}.{unknown[0]}"
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        maybe = f"; did you mean {close[0]}?" if close else ""
        raise ConfigError(f"{label}: unknown setting(s) {', '.join(unknown)}{maybe} known: {', '.join(sorted(known))}",
                          origin=first)
    fields = {}
    for key, value in values.items():
        origin = origins.get(key)
        label = str(origin) if origin else f"{where}.{key}"
        inner = {k[len(key) + 1:]: o for k, o in origins.items() if k.startswith(f"{key}.")}
        fields[key] = _coerce(value, hints[key], label, origin, inner)
        _check(section, key, fields[key], label, origin)
    return cls(**fields)
