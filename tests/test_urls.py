"""Canonical URLs: the same article with tracking parameters is one article."""
from feeds.urls import canonical_url


def test_tracking_parameters_fragments_and_case_are_removed():
    a = canonical_url("https://News.Example.com/world/talks?utm_source=rss&utm_medium=feed#top")
    b = canonical_url("https://news.example.com/world/talks?fbclid=abc123")
    assert a == b == "https://news.example.com/world/talks"


def test_meaningful_parameters_are_kept_in_a_stable_order():
    assert canonical_url("https://n.example/a?page=2&id=7") == canonical_url("https://n.example/a?id=7&page=2")
    assert canonical_url("https://n.example/a?id=7") != canonical_url("https://n.example/a?id=8")


def test_default_ports_are_dropped_but_others_kept():
    assert canonical_url("https://n.example:443/a") == "https://n.example/a"
    assert canonical_url("http://n.example:8080/a") == "http://n.example:8080/a"
