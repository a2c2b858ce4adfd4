"""The jobs the command line runs: each connects the stages to the store and the archive.

They sit above the stages they call (``feeds``, ``summarize``, ``templates``, ``archive``),
never inside ``core``, the ground floor those stages stand on.

Each name is imported from its module when first used (PEP 562), so that a command which
only opens the store does not load the grouping and summarising stack with ``jobs.building``.
"""
import importlib

_HOMES = {
    "jobs.building": ("BuildResult", "briefing_date", "build", "current_briefing", "feed_notes", "made_with",
                      "shown_stories", "update_site"),
    "jobs.fetching": ("FetchReport", "ImportResult", "articles_of", "fetch", "import_files", "open_store"),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'jobs' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
