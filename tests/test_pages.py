"""The landing page and the article view, read as a reader would, checked against the store."""

import html
import re

import requests

from kg import iris
from kg.source import article_text
from kg.source.sentences import sentence_spans

BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"


def get(server, path) -> str:
    answer = requests.get(server.url + path, headers={"Accept": BROWSER_ACCEPT}, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    return answer.text


def test_landing_page_counts_match_the_store(article_server):
    page = get(article_server, "/")
    shown = {iri: int(count.replace(",", "")) for iri, count in
             re.findall(r'data-class="([^"]+)">([\d,]+)<', page)}
    assert shown[iris.term("Event")] > 10
    for class_iri, count in shown.items():
        [row] = article_server.select(
            f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ ?r a <{class_iri}> "
            f'FILTER(STRSTARTS(STR(?r), "{iris.RESOURCE}")) }}')
        assert int(row["n"]) == count, class_iri


def test_landing_page_names_source_licence_and_links(article_server):
    page = get(article_server, "/")
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in page and "CC BY-SA 4.0" in page
    assert "https://en.wikipedia.org/wiki/Soviet_invasion_of_Poland" in page
    assert "Wikipedia contributors" in page
    for route in (iris.QUERY_ROUTE, iris.ARTICLE_ROUTE, iris.DUMPS_ROUTE, iris.VOID_ROUTE):
        assert f'href="{route}"' in page, route


def test_landing_timeline_lists_every_dated_event_in_order(article_server):
    page = get(article_server, "/")
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S).group(1)
    dates = re.findall(r'<time datetime="([^"]+)">', timeline)
    assert dates == sorted(dates)
    dated = article_server.select(
        "SELECT DISTINCT ?e WHERE { { ?e kg:startDate ?d } UNION { ?e kg:pointInTime ?d } }")
    assert len(dates) == len(dated)
    invasion = re.search(r'<time datetime="1939-09-17">([^<]+)</time>\s*<a href="([^"]+)"',
                         timeline)
    assert invasion.group(1) == "17 September 1939 – 6 October 1939"
    assert invasion.group(2) == "/resource/SovietInvasionOfPoland"


SPANS_QUERY = """
SELECT DISTINCT ?start ?end WHERE {
  ?evidence a oa:SpecificResource ; oa:hasSelector [ oa:start ?start ; oa:end ?end ] .
}
"""


def test_article_view_marks_every_evidence_span(article_server):
    page = get(article_server, "/article")
    spans = {(int(r["start"]), int(r["end"])) for r in article_server.select(SPANS_QUERY)}
    marked = {(int(a), int(b)) for a, b in re.findall(r'<span class="ev" id="span-(\d+)-(\d+)"',
                                                      page)}
    assert page.count("<mark tabindex=\"0\"") == len(spans)
    assert marked == spans
    # Each span's pop-up lists the statements it supports, linked to their resources.
    tip = page.split('id="tip-1637-1905"', 1)[1].split('id="tip-', 1)[0]
    assert 'href="/resource/claim-polish-citizens-made-soviet-subjects"' in tip


def test_article_view_lists_the_sentences_without_statements(article_server):
    page = get(article_server, "/article")
    text = article_text()
    spans = [(int(r["start"]), int(r["end"])) for r in article_server.select(SPANS_QUERY)]
    bare = [text[a:b] for a, b in sentence_spans(text)
            if not any(s < b and a < e for s, e in spans)]
    listed = [html.unescape(s) for s in re.findall(
        r'<li><a href="#sentence-\d+">(.*?)</a></li>', page)]
    assert listed == bare
    assert f"<strong>{len(bare)}</strong> of {len(sentence_spans(text))} sentences" in page
    assert page.count('<span class="bare" id="sentence-') == len(bare)
    assert "Commanders and leaders" in listed  # an infobox heading states nothing


def test_pages_have_landmarks_headings_and_a_language(article_server):
    for path in ("/", "/article", "/resource/SovietInvasionOfPoland", "/ontology"):
        page = get(article_server, path)
        assert page.startswith("<!doctype html>\n<html lang=\"en\">"), path
        for landmark in ("<header", "<nav", "<main", "<footer"):
            assert landmark in page, (path, landmark)
        assert page.count("<h1") == 1, path
        # Nothing is loaded from another host: every script and stylesheet is local.
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page), path
