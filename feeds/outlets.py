"""Who published an article: the outlet registry, and one display name per outlet.

The registry (``feeds/outlets.toml``, package data) lists news outlets, wires and
agencies, broadcasters, foreign ministries and intergovernmental bodies with their web
domains, home country and kind. Users add or override entries with ``[[outlets]]``
tables in config.toml (the same keys).

A name comes from the best signal available: the registry (by the article's web host,
then by the name the page or feed gave), then the site's own name (``og:site_name``,
the JSON-LD publisher, the feed's title, the copyright line) normalised, and only when
nothing better exists a readable form of the host. An article with no signal at all is
:data:`UNKNOWN`: never a file name.
"""
from __future__ import annotations

import logging
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.errors import ConfigError
from core.models import Article

log = logging.getLogger(__name__)

REGISTRY_FILE = Path(__file__).with_name("outlets.toml")
KINDS = ("wire", "agency", "newspaper", "broadcaster", "magazine", "government", "intergovernmental",
         "aggregator")
# Copies of text from these kinds of outlet are credited to them (see summarize/stories.py).
WIRE_KINDS = frozenset({"wire", "agency"})
UNKNOWN = "unknown outlet"

# Host prefixes that name a version of the same site, not another site.
_SITE_PREFIXES = ("www.", "www2.", "m.", "mobile.", "amp.", "edition.", "beta.")


@dataclass(frozen=True)
class Outlet:
    """One registry entry: an outlet's display name, its web domains, country and kind.

    ``country`` is an ISO 3166-1 alpha-2 code, "" for intergovernmental bodies (and when
    unknown). A domain may carry a path ("gov.uk/fcdo") for an office inside a shared site.
    """

    name: str
    domains: tuple[str, ...] = ()
    country: str = ""
    kind: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def is_wire(self) -> bool:
        """Whether copies of this outlet's text are credited to it (a wire or news agency)."""
        return self.kind in WIRE_KINDS


def _name_key(name: str) -> str:
    return " ".join(name.casefold().replace("’", "'").split())


def _compact(name: str) -> str:
    """Letters and digits only, lower case, without a leading "the": "The Harbour Ledger" -> "harbourledger"."""
    text = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    return re.sub(r"[\W_]+", "", text.casefold())


class Registry:
    """Outlets by web domain (longest suffix wins) and by name or alias (any case)."""

    def __init__(self, outlets: Iterable[Outlet]):
        self.outlets: tuple[Outlet, ...] = tuple(outlets)
        self._hosts: dict[str, Outlet] = {}
        self._paths: dict[str, list[tuple[str, Outlet]]] = defaultdict(list)
        self._names: dict[str, Outlet] = {}
        # Later entries override earlier ones: a user's [[outlets]] entry replaces the bundled one.
        for outlet in self.outlets:
            for domain in outlet.domains:
                host, _, path = domain.strip().lower().partition("/")
                host = host.removeprefix("www.")
                if path:
                    entries = [e for e in self._paths[host] if e[0] != "/" + path.rstrip("/")]
                    entries.append(("/" + path.rstrip("/"), outlet))
                    self._paths[host] = sorted(entries, key=lambda e: -len(e[0]))
                else:
                    self._hosts[host] = outlet
            for name in (outlet.name, *outlet.aliases):
                self._names[_name_key(name)] = outlet
        self._wire_names = tuple(sorted({n for o in self.outlets if o.is_wire for n in (o.name, *o.aliases)},
                                        key=len, reverse=True))

    def __len__(self) -> int:
        return len(self.outlets)

    def by_host(self, host: str | None, path: str = "") -> Outlet | None:
        """The outlet publishing under ``host`` (a subdomain of a registered domain counts)."""
        if not host:
            return None
        labels = host.lower().rstrip(".").split(".")
        path = path.lower()
        for start in range(len(labels) - 1):
            suffix = ".".join(labels[start:])
            for prefix, outlet in self._paths.get(suffix, ()):
                if path == prefix or path.startswith((prefix + "/", prefix + ".")):
                    return outlet
            if suffix in self._hosts:
                return self._hosts[suffix]
        return None

    def by_url(self, url: str | None) -> Outlet | None:
        """The outlet an article's URL belongs to, if registered."""
        if not url:
            return None
        host, path = _split(url)
        return self.by_host(host, path)

    def has_paths(self, host: str | None) -> bool:
        """Whether an entry for this host (or a parent domain) is one office inside a shared site."""
        if not host or not self._paths:
            return False
        labels = host.split(".")
        return any(".".join(labels[i:]) in self._paths for i in range(len(labels) - 1))

    def by_name(self, name: str | None) -> Outlet | None:
        """The outlet known by this name or alias (case and spacing ignored)."""
        if not name:
            return None
        return self._names.get(_name_key(name))

    def find(self, name: str | None = None, url: str | None = None) -> Outlet | None:
        """The registry entry of an article: by its URL first, then by its outlet name.

        A name that is an office inside the URL's shared site (the FCDO's feed on gov.uk,
        whose links are plain gov.uk news pages) is more exact than the site, and wins.
        """
        by_url, by_name = self.by_url(url), self.by_name(name)
        if by_url and by_name and by_name is not by_url:
            host = _split(url)[0] if url else ""
            if any("/" in d and (host == d.split("/")[0] or host.endswith("." + d.split("/")[0].removeprefix("www.")))
                   for d in by_name.domains):
                return by_name
        return by_url or by_name

    @property
    def wire_names(self) -> tuple[str, ...]:
        """Every name and alias of the wires and agencies, longest first (for text patterns)."""
        return self._wire_names

    def extended(self, extra: Sequence[Outlet]) -> "Registry":
        """This registry with ``extra`` entries added (an entry with a known name replaces it)."""
        if not extra:
            return self
        replaced = {_name_key(o.name) for o in extra}
        return Registry([o for o in self.outlets if _name_key(o.name) not in replaced] + list(extra))


def _entry(raw: Any, where: str) -> Outlet:
    """One registry entry from a TOML table, checked."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a table with name, domains, country and kind")
    unknown = sorted(set(raw) - {"name", "domains", "country", "kind", "aliases"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: aliases, country, domains, kind, name")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: needs a name")
    lists = {}
    for key in ("domains", "aliases"):
        value = raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} ({name}): {key} must be a list of strings")
        lists[key] = tuple(v.strip() for v in value if v.strip())
    country = raw.get("country", "")
    if not isinstance(country, str) or not (country == "" or re.fullmatch(r"[A-Za-z]{2}", country)):
        raise ConfigError(f"{where} ({name}): country must be a two-letter ISO code or \"\", not {country!r}")
    kind = raw.get("kind", "")
    if kind not in KINDS and kind != "":
        raise ConfigError(f"{where} ({name}): kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return Outlet(name.strip(), lists["domains"], country.upper(), kind, lists["aliases"])


def outlet_entries(entries: Any, where: str | Path) -> tuple[Outlet, ...]:
    """The ``[[outlets]]`` tables of a config file (or the registry file) as checked entries."""
    if not entries:
        return ()
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: 'outlets' must be a list of [[outlets]] tables")
    return tuple(_entry(raw, f"{where} outlet #{i}") for i, raw in enumerate(entries, start=1))


@lru_cache(maxsize=1)
def bundled_registry() -> Registry:
    """The registry shipped with the program (read once)."""
    with open(REGISTRY_FILE, "rb") as fh:
        data = tomllib.load(fh)
    return Registry(outlet_entries(data.get("outlets", []), REGISTRY_FILE))


@lru_cache(maxsize=8)
def registry_with(extra: tuple[Outlet, ...] = ()) -> Registry:
    """The bundled registry extended by the user's entries."""
    return bundled_registry().extended(extra)


# -- hosts ------------------------------------------------------------------------------------

_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)([^?#]*)", re.IGNORECASE)


def _split(url: str) -> tuple[str, str]:
    """(host, path) of a URL, lower-cased host; ("", "") when it is not one. Faster than urlsplit."""
    match = _URL_HOST.match(url.strip())
    if not match:
        return "", ""
    host, rest = match.group(1).lower().rstrip("."), match.group(2)
    path = rest[rest.index("/"):] if "/" in rest else ""
    return host, path


def site_host(url: str | None) -> str | None:
    """The host that names a site: ``www.``, ``m.``, ``mobile.``, ``amp.`` versions are one site."""
    if not url:
        return None
    host = _split(url)[0]
    if not host:
        return None
    changed = True
    while changed:
        changed = False
        for prefix in _SITE_PREFIXES:
            if host.startswith(prefix) and host.count(".") > 1:
                host, changed = host[len(prefix):], True
    return host


_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$", re.IGNORECASE)


def looks_like_domain(name: str) -> bool:
    """Whether a name is a bare host ("atlasdaily.example", "www.example.com")."""
    return bool(_DOMAIN.match(name.strip())) and " " not in name


def readable_host(host: str) -> str:
    """A name made from a host when nothing better is known: "northgate-post.example" -> "Northgate Post"."""
    labels = host.lower().removeprefix("www.").split(".")
    # The registrable label: the one before the public suffix ("bbc" in news.bbc.co.uk).
    core = labels[-3] if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in ("co", "com", "org", "net",
                                                                                         "gov", "ac") else \
        labels[-2] if len(labels) >= 2 else labels[0]
    return " ".join(part.capitalize() for part in re.split(r"[-_]+", core) if part)


# -- names --------------------------------------------------------------------------------------

# What sites add to their name in titles and feed names: "World news | The Guardian",
# "BBC News - Home", "Reuters: World News", "The Week Recommends" (a section heading of
# theweek.com that a furniture count took for the site's name).
_NAME_SEPARATORS = re.compile(r"\s+[|–—•·:»-]\s+|\s*[|»]\s*|:\s+")
_SECTION_WORDS = {"home", "homepage", "front page", "latest", "latest news", "news", "top news", "top stories",
                  "world", "world news", "international", "breaking news", "rss", "feed", "rss feed",
                  "headlines", "politics", "europe", "opinion", "business", "us", "uk", "all", "stories",
                  "articles", "recommends", "recommended", "most read", "most popular", "live", "en", "english"}
_TRAILING = re.compile(r"\s+(?:Recommends|Recommended|RSS|Feed|RSS Feed|Home(?:page)?|Online|Latest|"
                       r"Top Stories|Headlines|Newsletters?)$", re.IGNORECASE)
# Small words that do occur in outlet names ("Ministry of Foreign Affairs of Ukraine").
_NAME_PARTICLES = {"of", "the", "and", "for", "de", "du", "la", "le", "les", "des", "di", "del", "da", "do", "y",
                   "e", "et", "und", "van", "von", "al", "el", "&", "-", "on", "in"}
_FILE_STEM = re.compile(r"^[\w.-]*(?:_|\d{4,})[\w.-]*$")


def looks_like_file_name(name: str) -> bool:
    """Whether a name is a file stem ("001_05838490510a9787"), not anything a publisher is called."""
    name = name.strip()
    return " " not in name and bool(_FILE_STEM.match(name)) and not looks_like_domain(name)


def normalise_name(raw: str | None) -> str | None:
    """A site's own name made presentable, or None when it says nothing about who published.

    Drops a section that sites put beside their name ("BBC News - Home" -> "BBC News",
    "World news | The Guardian" -> "The Guardian"), a trailing "Recommends", and names
    that are a file name. A bare domain is returned as it is (the caller decides).
    """
    if not raw:
        return None
    name = " ".join(str(raw).replace("\u00a0", " ").split()).strip(" -|:·•")
    # A URL given as the site name is its host; "@politifact" a social handle; "by Snopes" a credit.
    if re.match(r"^https?://", name, re.IGNORECASE):
        name = site_host(name) or ""
    name = re.sub(r"^(?:@|by\s+)", "", name, flags=re.IGNORECASE).strip()
    if not name or looks_like_file_name(name) or name.casefold() == UNKNOWN:
        return None
    parts = [p.strip() for p in _NAME_SEPARATORS.split(name) if p and p.strip()]
    if len(parts) > 1:
        kept = [p for p in parts if p.casefold() not in _SECTION_WORDS]
        # Of what is left, the part that reads as a masthead: short, the fewest words.
        name = min(kept, key=lambda p: (len(p.split()) > 6, parts.index(p))) if kept else parts[0]
    previous = None
    while previous != name:
        previous, name = name, _TRAILING.sub("", name).strip()
    if not name or name.casefold() in _SECTION_WORDS or len(name) > 80:
        return None
    # A masthead is a few words; a longer phrase with small words is a tagline
    # ("Expert how-to for English Riders" was one site's og:site_name).
    words = name.split()
    if len(words) >= 5 and any(w.islower() and w not in _NAME_PARTICLES for w in words):
        return None
    return name.title() if name.isupper() and len(name) > 5 and " " in name else name


def display_name(registry: Registry, url: str | None = None, *signals: str | None) -> str:
    """The one name to show for an article: registry, then the first usable signal, then its host.

    ``signals`` are the site's own statements in order of trust (``og:site_name``, the
    JSON-LD publisher, the feed's title, the copyright line).
    """
    found = registry.by_url(url)
    if found:
        return found.name
    host = site_host(url)
    for signal in signals:
        name = normalise_name(signal)
        if not name:
            continue
        known = registry.by_name(name)
        if known:
            return known.name
        if looks_like_domain(name):
            known = registry.by_host(name.lower())
            if known:
                return known.name
            continue
        return name
    for signal in signals:  # a domain given as the name is still better than nothing
        name = normalise_name(signal)
        if name and looks_like_domain(name):
            return readable_host(site_host("http://" + name) or name)
    return readable_host(host) if host else UNKNOWN


def resolve_names(items: Sequence[tuple[str | None, str]], registry: Registry) -> list[str]:
    """One display name per site across ``items`` of (url, outlet name as stored).

    Every article of one site (one host, ``www.``/``m.``/``amp.`` versions included) gets
    the same name: the registry's, else the site name its articles agree on (a name that
    spells the host, "Atlas Daily" for atlasdaily.example, wins), else a readable host.
    An article without a URL named by a shorter form of such a site's name ("Meridian"
    for "Meridian Wire" on meridianwire.example) takes the site's name.
    """
    first: list[str] = []
    hosts: list[str | None] = []
    by_site: dict[str, Counter] = defaultdict(Counter)
    spelled: dict[str, str] = {}  # compact form -> a name that spells it
    named: dict[tuple, tuple[str, bool]] = {}  # (host, raw name, path) -> (name, registered)
    for url, outlet in items:
        host = site_host(url)
        raw = outlet.strip() if outlet else ""
        key = (host, raw, _split(url)[1] if registry.has_paths(host) else "")
        if key not in named:
            known = registry.find(raw, url)
            named[key] = (known.name, True) if known else (normalise_name(raw) or "", False)
            name = named[key][0]
            if name and not known and not looks_like_domain(name):
                spelled.setdefault(_compact(name), name)
        name, known = named[key]
        first.append(name)
        hosts.append(host)
        if host and name and not known and not looks_like_domain(name):
            by_site[host][name] += 1
    site_name: dict[str, str] = {}
    guessed: set[str] = set()  # sites named only after their host
    extends: dict[str, list[str]] = defaultdict(list)  # "Meridian" -> ["Meridian Wire"]
    for host in {h for h in hosts if h}:
        if registry.by_host(host):
            continue
        label = _compact(host.split(".")[0] if host.count(".") == 1 else readable_host(host))
        votes = by_site.get(host, Counter())
        if label in spelled:
            chosen = spelled[label]
        elif votes:
            chosen = max(votes.items(), key=lambda kv: (kv[1], len(kv[0])))[0]
        else:
            chosen = readable_host(host)
            guessed.add(host)
        site_name[host] = chosen
        if label == _compact(chosen):
            words = chosen.split()
            for size in range(1, len(words)):
                extends[" ".join(words[:size])].append(chosen)
    result = []
    for host, name in zip(hosts, first):
        if host and host in site_name and not (host in guessed and name and registry.by_name(name)):
            # A registered name given to links at an unknown host (a feed named "Reuters"
            # whose links go through a redirector) is kept over a name made from the host.
            result.append(site_name[host])
            continue
        if not name:
            result.append(UNKNOWN)
            continue
        if looks_like_domain(name):
            h = site_host("http://" + name)
            result.append(site_name.get(h) or (registry.by_host(h).name if registry.by_host(h) else None)
                          or readable_host(h))
            continue
        # "Meridian" beside a site named "Meridian Wire" at meridianwire.example.
        longer = set(extends.get(name, ()))
        if len(longer) == 1 and not registry.by_name(name):
            name = longer.pop()
        result.append(name)
    return result


def name_articles(articles: Sequence[Article], registry: Registry) -> list[Article]:
    """The articles with one display name per outlet (see :func:`resolve_names`)."""
    names = resolve_names([(a.url, a.outlet) for a in articles], registry)
    return [a if a.outlet == n else replace(a, outlet=n) for a, n in zip(articles, names)]
