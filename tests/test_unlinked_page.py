"""`/unlinked`: the entities without a Wikidata link, read from a real server."""

import csv
import html
import io
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from kg import curate, iris

KG = str(Path(sys.executable).parent / "kg")


def rows_of(page: str) -> dict[str, dict]:
    """The table's rows by entity IRI: the link to its page, class, reason and search link."""
    found = {}
    for iri, cells in re.findall(r'<tr data-iri="([^"]+)">(.*?)</tr>', page, re.S):
        entity, klass, reason, search = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        link = re.search(r'<a href="([^"]+)">([^<]+)</a>', entity)
        found[html.unescape(iri)] = {
            "href": link.group(1), "label": html.unescape(link.group(2)),
            "class": html.unescape(klass), "reason": html.unescape(re.sub(r"<[^>]+>", "", reason)),
            "search": html.unescape(re.search(r'href="([^"]+)"', search).group(1)),
        }
    return found


def test_unlinked_page_lists_what_kg_links_export_unlinked_lists(article_server):
    answer = requests.get(article_server.url + iris.UNLINKED_ROUTE, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    shown = rows_of(answer.text)
    exported = subprocess.run([KG, "links", "export", "--unlinked"], capture_output=True,
                              text=True, timeout=120, check=True).stdout
    expected = {row["iri"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert set(shown) == set(expected) and len(shown) > 10
    for iri, row in shown.items():
        assert (row["label"], row["class"]) == (expected[iri]["label"], expected[iri]["class"])
        assert row["reason"] == (expected[iri]["reason"] or "no search recorded")
        assert row["href"] == iris.local_route(iri)
        assert parse_qs(urlsplit(row["search"]).query) == {"search": [row["label"]]}
    assert f"{len(shown)} events, actors, places and agreements" in answer.text


def test_unlinked_page_shows_no_linked_entity_and_the_curators_reasons(article_server):
    shown = rows_of(requests.get(article_server.url + iris.UNLINKED_ROUTE, timeout=60).text)
    for iri in shown:
        assert not article_server.ask(
            f"ASK {{ <{iri}> skos:exactMatch|skos:closeMatch ?item }}"), iri
    linked = {iris.resource(link.resource) for link in curate.load_wikidata_links()}
    assert not linked & set(shown)
    reasons = curate.load_unlinked_reasons()
    kresy = shown[iris.resource("Kresy")]
    assert kresy["reason"] == reasons["Kresy"] and kresy["class"] == "Region"


def test_unlinked_page_uses_the_shared_layout_and_links_its_query(article_server):
    page = requests.get(article_server.url + iris.UNLINKED_ROUTE, timeout=60).text
    assert '<nav aria-label="Site">' in page and "<footer>" in page
    query = re.search(r'href="(/query#query=[^"]+)"', page)
    assert query, "the page links to its SPARQL query"
