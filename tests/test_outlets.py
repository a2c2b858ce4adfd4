"""One true name per outlet: the registry, name normalisation, `import --outlet`, the renaming migration.

Fixtures are written for this project; outlet names, domains and countries are public facts.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

import briefing
from core import db
from core.errors import ConfigError
from core.options import load_options
from feeds.importer import import_paths
from feeds.outlets import (KINDS, UNKNOWN, bundled_registry, display_name, normalise_name,
                           registry_with, resolve_names, site_host)
from feeds.store import Store

BODY = [
    "The foreign ministers of the two neighbouring states met at the border crossing on Tuesday to sign a fisheries accord.",
    "The accord sets catch limits for the shared bay and creates a joint patrol, officials said after the ceremony.",
    "Negotiators had worked on the text for two years, and both parliaments are expected to approve it before winter.",
    "Fishing communities on both coasts welcomed the deal but asked for money to replace boats lost in last year's storms.",
]


# -- the registry --------------------------------------------------------------------------------

def test_the_bundled_registry_has_several_hundred_checked_entries():
    registry = bundled_registry()
    assert len(registry) >= 300
    for outlet in registry.outlets:
        assert outlet.kind in KINDS, outlet
        assert outlet.country == "" or (len(outlet.country) == 2 and outlet.country.isupper()), outlet
        assert outlet.domains, outlet
    kinds = {o.kind for o in registry.outlets}
    assert kinds == set(KINDS)
    # Intergovernmental bodies belong to no one country.
    assert all(o.country == "" for o in registry.outlets if o.kind == "intergovernmental")


@pytest.mark.parametrize("url, name", [
    ("https://www.reuters.com/world/europe/talks-2025-06-02/", "Reuters"),
    ("https://apnews.com/article/ukraine-talks", "Associated Press"),
    ("https://m.bbc.co.uk/news/world-europe-1", "BBC News"),
    ("https://mobile.nytimes.com/2025/06/02/world/europe/talks.html", "The New York Times"),
    ("https://amp.theguardian.com/world/2025/jun/02/talks", "The Guardian"),
    ("https://edition.cnn.com/2025/06/02/europe/talks", "CNN"),
    ("https://english.kyodonews.net/news/2025/06/talks.html", "Kyodo News"),
    ("https://news.un.org/en/story/2025/06/1", "UN News"),
    ("https://www.un.org/securitycouncil/content/statement", "UN Security Council"),
    ("https://www.un.org/en/about-us", "United Nations"),
    ("https://www.gov.uk/fcdo/statement", "UK Foreign, Commonwealth & Development Office"),
    ("https://www.state.gov/briefings/department-press-briefing", "U.S. Department of State"),
    ("https://mid.ru/en/foreign_policy/news/1", "Russian Ministry of Foreign Affairs"),
    ("https://mfa.gov.ua/en/news/1", "Ministry of Foreign Affairs of Ukraine"),
    ("https://www.nato.int/cps/en/natohq/news.htm", "NATO"),
    ("https://uk.news.yahoo.com/ukraine-talks.html", "Yahoo News"),
])
def test_registry_resolves_hosts_subdomains_and_mobile_versions(url, name):
    assert bundled_registry().by_url(url).name == name


def test_registry_lookups_that_must_not_match():
    registry = bundled_registry()
    assert registry.by_url("https://unknown-paper.example/world/1") is None
    # A host that merely ends with a registered name is another site.
    assert registry.by_url("https://notreuters.com/a") is None
    assert registry.by_url("not a url") is None
    assert registry.by_name("Harbour Ledger") is None


def test_registry_names_and_aliases_ignore_case():
    registry = bundled_registry()
    assert registry.by_name("the associated press").name == "Associated Press"
    assert registry.by_name("AFP").kind == "wire"
    assert registry.by_name("Agence France-Presse").country == "FR"
    assert registry.by_name("  Deutsche   Presse-Agentur ").name == "dpa"
    assert registry.by_name("Yonhap").is_wire and not registry.by_name("The Guardian").is_wire


def test_site_host_folds_www_mobile_and_amp_versions():
    assert site_host("https://www.ledger.example/a") == site_host("https://m.ledger.example/b") == \
        site_host("https://amp.ledger.example/c") == "ledger.example"
    assert site_host(None) is None


def test_users_extend_the_registry_in_config(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        '[[outlets]]\nname = "Valley Courier"\ndomains = ["valleycourier.example"]\ncountry = "nz"\n'
        'kind = "newspaper"\naliases = ["The Courier"]\n\n'
        '[[outlets]]\nname = "Reuters"\ndomains = ["reuters.com", "reuters.example"]\ncountry = "GB"\nkind = "wire"\n',
        encoding="utf-8")
    options = load_options(environ={}, home=home)
    registry = registry_with(options.outlets)
    assert registry.by_url("https://www.valleycourier.example/x").name == "Valley Courier"
    assert registry.by_name("the courier").country == "NZ"
    # An entry with a registered name replaces the bundled one.
    assert registry.by_url("https://reuters.example/a").name == "Reuters"
    assert bundled_registry().by_url("https://reuters.example/a") is None


@pytest.mark.parametrize("entry, complaint", [
    ('name = "X"\nkind = "blog"', "kind must be one of"),
    ('name = "X"\ncountry = "France"', "two-letter ISO code"),
    ('domains = ["x.example"]', "needs a name"),
    ('name = "X"\nwebsite = "x.example"', "unknown key(s) website"),
])
def test_a_bad_outlet_entry_names_the_file_and_the_problem(tmp_path, entry, complaint):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f"[[outlets]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_options(environ={}, home=home)
    assert "config.toml" in str(caught.value) and complaint in str(caught.value)


# -- names -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, name", [
    ("The Week Recommends", "The Week"),
    ("BBC News - Home", "BBC News"),
    ("World news | The Guardian", "The Guardian"),
    ("Reuters: World News", "Reuters"),
    ("Harbour Ledger RSS", "Harbour Ledger"),
    ("  The   Harbour Ledger  ", "The Harbour Ledger"),
    ("001_05838490510a9787", None),
    ("scraped_page-17", None),
    ("unknown outlet", None),
    ("", None),
])
def test_names_are_normalised(raw, name):
    assert normalise_name(raw) == name


def test_display_name_prefers_registry_then_site_name_then_readable_host():
    registry = bundled_registry()
    assert display_name(registry, "https://www.reuters.com/x", "Reuters.com - Business News") == "Reuters"
    assert display_name(registry, None, "Thomson Reuters") == "Reuters"
    assert display_name(registry, "https://ledger.example/x", "The Ledger | World") == "The Ledger"
    assert display_name(registry, "https://north-gate-post.example/x", "north-gate-post.example") == "North Gate Post"
    assert display_name(registry, None, "theguardian.com") == "The Guardian"
    assert display_name(registry, None, None) == UNKNOWN


def test_every_article_of_one_site_gets_one_name():
    items = [
        ("https://atlasdaily.example/a", "atlasdaily.example"),  # a page with no site name
        (None, "Atlas Daily"),  # a text page whose copyright line names the site
        ("https://www.meridianwire.example/x", "Meridian Wire"),
        (None, "Meridian"),  # the company in a copyright line, shorter than the masthead
        ("https://m.ledger.example/1", "The Ledger"),
        ("https://ledger.example/2", "The Ledger | Europe"),
        ("https://ledger.example/3", "ledger.example"),
        ("https://www.apnews.com/article/1", "AP News - Breaking News"),
        (None, "AP"),
    ]
    assert resolve_names(items, bundled_registry()) == [
        "Atlas Daily", "Atlas Daily", "Meridian Wire", "Meridian Wire",
        "The Ledger", "The Ledger", "The Ledger", "Associated Press", "Associated Press"]


def test_a_registered_feed_name_is_kept_for_links_through_an_unknown_host():
    names = resolve_names([("https://feedproxy.example/~r/abc", "Reuters"),
                           ("https://feedproxy.example/~r/def", "Reuters")], bundled_registry())
    assert names == ["Reuters", "Reuters"]


# -- import -------------------------------------------------------------------------------------------

def test_a_file_with_no_outlet_signal_is_an_unknown_outlet_not_its_file_name(tmp_path):
    path = tmp_path / "001_05838490510a9787.txt"
    path.write_text("\n".join(["Neighbours sign fisheries accord"] + BODY) + "\n", encoding="utf-8")
    html = tmp_path / "scrape_0042.html"
    html.write_text("<html><body><article><h1>Neighbours sign fisheries accord</h1>"
                    + "".join(f"<p>{p}</p>" for p in BODY[::-1]) + "</article></body></html>", encoding="utf-8")
    report = import_paths([tmp_path])
    assert report.problems == ()
    assert [a.outlet for a in report.articles] == [UNKNOWN, UNKNOWN]


def test_html_outlet_from_json_ld_publisher_and_registry_domain(tmp_path):
    paras = "".join(f"<p>{p}</p>" for p in BODY)
    (tmp_path / "a.html").write_text(
        '<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "NewsArticle", "datePublished": "2025-05-16T09:15:00+03:00",'
        ' "publisher": {"@type": "Organization", "name": "Bay Chronicle"}}]}</script></head>'
        f"<body><article><h1>Neighbours sign fisheries accord</h1>{paras}</article></body></html>",
        encoding="utf-8")
    (tmp_path / "b.html").write_text(
        '<html><head><link rel="canonical" href="https://www.apnews.com/article/fisheries-accord">'
        '<meta property="og:site_name" content="AP News"></head>'
        f"<body><article><h1>Fisheries accord signed</h1>{paras}</article></body></html>", encoding="utf-8")
    by_title = {a.title: a for a in import_paths([tmp_path]).articles}
    first = by_title["Neighbours sign fisheries accord"]
    assert first.outlet == "Bay Chronicle"
    assert first.published == datetime(2025, 5, 16, 6, 15, tzinfo=timezone.utc)
    assert first.published_from == "metadata"
    assert by_title["Fisheries accord signed"].outlet == "Associated Press"


def test_masthead_completes_the_company_name_of_the_copyright_line(tmp_path):
    page = ["Neighbours sign fisheries accord", "Skip to main content", "Bayside Wire", "World | Markets"] + BODY + \
        ["© 2025 Bayside Group. All rights reserved."]
    (tmp_path / "a.txt").write_text("\n".join(page) + "\n", encoding="utf-8")
    [article] = import_paths([tmp_path]).articles
    assert article.outlet == "Bayside Wire"


def test_import_outlet_flag_names_the_publisher_of_every_file(home, tmp_path, capsys):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "page_1.txt").write_text("\n".join(["Neighbours sign fisheries accord"] + BODY) + "\n",
                                       encoding="utf-8")
    other = ["Harbour masters in the fishing towns said the new catch limits would take effect at the start of next season.",
             "Boat owners asked both governments for grants to replace vessels wrecked by the winter storms last year.",
             "The joint patrol will use two vessels from each navy and share a control room in the larger port."]
    (folder / "page_2.txt").write_text("\n".join(["Fishing towns welcome accord"] + other
                                                 + ["© 2025 Some Other Paper Ltd"]) + "\n", encoding="utf-8")
    assert briefing.main(["import", "--outlet", "reuters", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "2 new articles" in out and "2 with no date in their content" in out
    store = Store.open(home / "briefing.db")
    try:
        assert {a.outlet for a in store.articles()} == {"Reuters"}  # the registry's spelling
    finally:
        store.close()


def test_import_help_documents_the_outlet_flag(capsys):
    with pytest.raises(SystemExit):
        briefing.main(["import", "--help"])
    assert "--outlet NAME" in capsys.readouterr().out


# -- the migration ------------------------------------------------------------------------------------

def _old_store(path) -> None:
    """A store as the program made it before outlet names were fixed: migrations 1-2 only."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE migrations (component TEXT NOT NULL, number INTEGER NOT NULL,"
                 " applied TEXT NOT NULL DEFAULT (datetime('now')), PRIMARY KEY (component, number))")
    for number, step in enumerate(db._REGISTRY["store"][:2], start=1):
        for statement in step.split(";\n"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO migrations (component, number) VALUES ('store', ?)", (number,))
    rows = [
        ("https://atlasdaily.example/1", "atlasdaily.example"),
        ("sha256:aa", "Atlas Daily"),
        ("https://meridianwire.example/2", "Meridian Wire"),
        ("sha256:bb", "Meridian"),
        ("sha256:cc", "001_05838490510a9787"),
        ("sha256:dd", "The Week Recommends"),
        ("https://www.reuters.com/world/3", "reuters.com"),
        ("sha256:ee", "The Harbour Ledger"),
    ]
    for article_id, outlet in rows:
        url = article_id if article_id.startswith("http") else None
        conn.execute("INSERT INTO articles (id, url, title, text, outlet, published, published_from, feed, added,"
                     " text_hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (article_id, url, "A headline", "Some text.", outlet, "2025-06-24T10:00:00+00:00",
                      "content", None, "2025-06-24T11:00:00+00:00", "sha256:" + article_id[-2:]))
    conn.close()


def test_migration_renames_outlets_in_an_existing_store(tmp_path):
    path = tmp_path / "briefing.db"
    _old_store(path)
    store = Store.open(path)
    try:
        names = {a.id: a.outlet for a in store.articles()}
        applied = {r[0] for r in store.conn.execute("SELECT number FROM migrations WHERE component='store'")}
    finally:
        store.close()
    assert applied >= {1, 2, 3}
    assert names == {
        "https://atlasdaily.example/1": "Atlas Daily",
        "sha256:aa": "Atlas Daily",
        "https://meridianwire.example/2": "Meridian Wire",
        "sha256:bb": "Meridian Wire",
        "sha256:cc": UNKNOWN,
        "sha256:dd": "The Week",
        "https://www.reuters.com/world/3": "Reuters",
        "sha256:ee": "The Harbour Ledger",
    }



def test_teaser_names_and_bare_rights_notices_are_not_outlet_names(tmp_path):
    teasers = ["The Crown returns for a final season", "Why The Crown cast reunited", "More stories",
               "© All rights reserved | Terms"]
    (tmp_path / "a.txt").write_text("\n".join(["Neighbours sign fisheries accord"] + BODY + teasers) + "\n",
                                    encoding="utf-8")
    [article] = import_paths([tmp_path]).articles
    assert article.outlet == UNKNOWN


def test_copyright_of_the_site_itself_does_not_borrow_a_menu_line(tmp_path):
    page = ["Neighbours sign fisheries accord", "Bay Chronicle Account", "World | Sport"] + BODY + \
        ["Copyright © 2025 Bay Chronicle. All rights reserved."]
    (tmp_path / "a.txt").write_text("\n".join(page) + "\n", encoding="utf-8")
    [article] = import_paths([tmp_path]).articles
    assert article.outlet == "Bay Chronicle"


def test_an_office_on_a_shared_government_site_keeps_its_own_name():
    registry = bundled_registry()
    names = resolve_names([("https://www.gov.uk/government/news/statement-on-talks", "FCDO"),
                           ("https://www.gov.uk/government/news/budget", "GOV.UK")], registry)
    assert names == ["UK Foreign, Commonwealth & Development Office", "UK Government"]
    # ...but a name from elsewhere does not override what the URL says.
    assert registry.find("Reuters", "https://www.gov.uk/government/news/x").name == "UK Government"
