"""From stored articles to stories, in three stages with a seam between each.

Which articles are on the beat: ``topic``.

Grouping (which articles tell one event; nothing here writes a sentence):
``group`` (the entry: ``group_articles``), ``particulars`` (who, where, when, how many),
``textvec`` (term counts and TF-IDF rows), ``agglomerate`` (average-link merging),
``parallel`` (reading on every core), ``reading`` (an article's reading kept in the store).

Summarising one group (what a reader gets of it): ``stories`` (the entry: ``make_story``),
``dedup`` (copies of one text as one source), ``summary``, ``coherence``, ``facts``,
``furniture``, ``sentences``, ``ranking``, ``headline``.
"""
