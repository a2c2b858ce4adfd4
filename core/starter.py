"""The starter config that ``briefing.py init`` writes."""
from __future__ import annotations

# Real public sources of diplomacy news: the UN, foreign ministries, alliances and the
# world desks of major outlets. Each is an RSS or Atom feed published by its owner.
STARTER_CONFIG = '''\
# briefing configuration. Every setting can also be given in the environment as
# BRIEFING_<SECTION>_<SETTING>, for instance BRIEFING_SMTP_HOST=mail.example.org.

[briefing]
title = "Diplomacy briefing"
timezone = "UTC"           # the time zone of dates and of the daily schedule
max_stories = 20
topic_profile = "diplomacy" # or the path of your own profile (TOML)
# base_url = "https://briefing.example.org"  # public address of the archive site, for links

[fetch]
timeout = 20.0
concurrency = 64

[summary]
method = "lexrank"          # lexrank, textrank, lsa, luhn, sumbasic, kl
max_sentences = 5

[smtp]
# host = "smtp.example.org"
# port = 587
# tls = "starttls"          # none, starttls or ssl
# user = "me@example.org"   # the password goes in BRIEFING_SMTP_PASSWORD, not here
# sender = "Briefing <me@example.org>"
# to = ["me@example.org"]

[schedule]
time = "07:00"
timezone = "UTC"

[[feeds]]
name = "UN News"
url = "https://news.un.org/feed/subscribe/en/news/all/rss.xml"

[[feeds]]
name = "UN News: peace and security"
url = "https://news.un.org/feed/subscribe/en/news/topic/peace-and-security/feed/rss.xml"

[[feeds]]
name = "NATO news"
url = "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml"

[[feeds]]
name = "UK Foreign, Commonwealth & Development Office"
url = "https://www.gov.uk/government/organisations/foreign-commonwealth-development-office.atom"

[[feeds]]
name = "US Department of State: press releases"
url = "https://www.state.gov/rss-feed/press-releases/feed/"

[[feeds]]
name = "BBC News: World"
url = "https://feeds.bbci.co.uk/news/world/rss.xml"

[[feeds]]
name = "The Guardian: World news"
url = "https://www.theguardian.com/world/rss"

[[feeds]]
name = "Al Jazeera"
url = "https://www.aljazeera.com/xml/rss/all.xml"

[[feeds]]
name = "NPR: World"
url = "https://feeds.npr.org/1004/rss.xml"

[[feeds]]
name = "DW: World"
url = "https://rss.dw.com/rdf/rss-en-world"

[[feeds]]
name = "France 24"
url = "https://www.france24.com/en/rss"
'''
