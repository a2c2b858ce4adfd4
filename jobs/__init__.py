"""The jobs the command line runs: each connects the stages to the store and the archive.

They sit above the stages they call (``feeds``, ``summarize``, ``templates``, ``archive``),
never inside ``core``, the ground floor those stages stand on. Both modules import their heavy
stages inside the functions that use them, so importing ``jobs`` stays light.
"""
from jobs.building import (BuildResult, briefing_date, build, current_briefing, feed_notes, made_with,
                           shown_stories, update_site)
from jobs.fetching import FetchReport, ImportResult, articles_of, fetch, import_files, open_store

__all__ = ["BuildResult", "briefing_date", "build", "current_briefing", "feed_notes", "made_with", "shown_stories",
           "update_site", "FetchReport", "ImportResult", "articles_of", "fetch", "import_files", "open_store"]
