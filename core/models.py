"""The records that pass between the stages of the pipeline.

Every stage takes and returns these small frozen dataclasses, never loose dicts, so
that a reader can tell from a signature what goes in and what comes out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Article:
    """One news article from one outlet, with its cleaned main text.

    ``id`` is the canonical URL (tracking parameters removed) or ``"sha256:<hex>"`` of the
    text when the article has no URL. ``published_from`` tells where ``published`` came
    from: ``"content"``, ``"metadata"``, ``"feed"``, ``"file-mtime"`` or ``"fetched"``.
    """

    id: str
    title: str
    text: str
    outlet: str
    published: datetime
    url: str | None = None
    published_from: str = "metadata"
    feed: str | None = None


@dataclass(frozen=True)
class Source:
    """One outlet's article within a story, as the email links to it."""

    article_id: str
    outlet: str
    title: str
    url: str | None
    published: datetime
    # Where ``published`` came from (see ``Article.published_from``): a time taken from a
    # file's modification time or the moment of fetching is not shown as a fact.
    published_from: str = "metadata"
    # The outlets that republished this same (wire) text; this source is the original,
    # or the copy chosen to stand for it. Together they count as one independent report.
    carried_by: tuple[str, ...] = ()
    # From the outlet registry: ISO 3166 alpha-2 country ("" when unknown) and kind
    # (wire, agency, newspaper, broadcaster, magazine, government, intergovernmental,
    # aggregator; "" when unknown).
    country: str = ""
    kind: str = ""


@dataclass(frozen=True)
class SummarySentence:
    """One extracted sentence of a story summary, traceable to the article it came from."""

    text: str
    article_id: str
    outlet: str
    position: int  # index of the sentence in its article, used for ordering


@dataclass(frozen=True)
class Story:
    """One news event, told by one or more sources, with its extractive summary."""

    id: str
    headline: str
    summary: tuple[SummarySentence, ...]
    sources: tuple[Source, ...]
    updated: datetime
    topic_score: float = 0.0
    developing: bool = False
    previous_dates: tuple[str, ...] = field(default_factory=tuple)

    @property
    def outlets(self) -> tuple[str, ...]:
        """The distinct outlets covering the story, in source order (carriers of wire copy included)."""
        names = []
        for source in self.sources:
            names.append(source.outlet)
            names.extend(source.carried_by)
        return tuple(dict.fromkeys(names))

    @property
    def independent_reports(self) -> int:
        """How many independent reports the story rests on: a wire text and its copies count once."""
        return len(self.sources)

    @property
    def countries(self) -> tuple[str, ...]:
        """The distinct countries (registry codes) of the outlets covering the story, where known."""
        return tuple(dict.fromkeys(s.country for s in self.sources if s.country))


@dataclass(frozen=True)
class FeedNote:
    """A feed that failed, was paused or moved since the previous briefing, for the footer."""

    feed: str      # the feed's display name (or its URL when it has none)
    url: str
    state: str     # "failed", "paused" or "moved"
    reason: str    # one line: what went wrong, or where it moved


@dataclass(frozen=True)
class Briefing:
    """One day's digest: the ranked stories and when the briefing was made."""

    date: str  # YYYY-MM-DD
    stories: tuple[Story, ...]
    generated: datetime
    title: str = "Diplomacy briefing"
    feed_notes: tuple[FeedNote, ...] = ()
