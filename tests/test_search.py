"""Search as a reader uses it: by any name in any spelling, by Wikidata's label, by the
article's words; the index that ``kg load`` builds agrees with the store it was built from."""

import subprocess
import sys

import requests
from conftest import copy_sources

from kg import iris, search
from kg.store.layout import Layout

BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"

NAMES_QUERY = f"""
SELECT ?resource ?name WHERE {{
  ?resource rdfs:label|skos:altLabel ?name .
  FILTER(STRSTARTS(STR(?resource), "{iris.RESOURCE}"))
  FILTER NOT EXISTS {{ ?resource a rdf:Statement }}
  FILTER NOT EXISTS {{ ?resource a oa:SpecificResource }}
  FILTER NOT EXISTS {{ ?resource a prov:Activity }}
}}"""


def index_of(server):
    return search.index_path(Layout(server.flags["--store"]).current_version())


def found(server, query: str) -> dict:
    answer = requests.get(server.url + iris.SEARCH_ROUTE, params={"q": query, "format": "json"},
                          timeout=30)
    assert answer.status_code == 200, answer.text
    return {group["kind"]: [r["iri"] for r in group["results"]]
            for group in answer.json()["groups"]}


def test_every_name_in_the_store_finds_its_resource_in_the_index(article_server):
    rows = article_server.select(NAMES_QUERY)
    assert len(rows) > 100
    index = index_of(article_server)
    for row in rows:
        hits = {hit.iri for hit in search.search(index, row["name"], limit=1000)}
        assert row["resource"] in hits, row


def test_search_ignores_case_and_accents(article_server):
    for typed in ("lwow", "LWÓW", "luck", "Bialystok", "wlodzimierz wolynski"):
        assert any(iri.startswith(iris.RESOURCE) for iri in found(article_server, typed)
                   .get("entity", [])), typed
    assert iris.resource("Lwow") in found(article_server, "lwow")["entity"]
    assert iris.resource("Luck") in found(article_server, "LUCK")["entity"]


def test_wikidata_label_finds_the_resource(article_server):
    # Wikidata calls Lwów "Lviv" (Q36036); the article never does.
    assert "Lviv" not in article_server.select(
        'SELECT (GROUP_CONCAT(?t) AS ?all) WHERE { kgr:article schema:text ?t }')[0]["all"]
    assert found(article_server, "Lviv")["entity"] == [iris.resource("Lwow")]


def test_article_words_find_the_quotes_and_what_they_are_about(article_server):
    answer = requests.get(article_server.url + iris.SEARCH_ROUTE,
                          params={"q": "NKVD", "format": "json"}, timeout=30).json()
    quotes = next(g for g in answer["groups"] if g["kind"] == "quote")["results"]
    assert len(quotes) >= 2
    assert all("nkvd" in quote["label"].lower() for quote in quotes)
    assert any(a["iri"] == iris.resource("NKVD") for q in quotes for a in q["about"])


def test_a_number_matches_whole(article_server):
    quotes = found(article_server, "3,000").get("quote", [])
    texts = [hit.text for hit in search.search(index_of(article_server), "3,000")]
    assert quotes and all("320,000" not in t or "3,000" in t for t in texts)


def test_search_page_groups_results_and_links_the_json(article_server):
    answer = requests.get(article_server.url + iris.SEARCH_ROUTE, params={"q": "Soviet"},
                          headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert answer.status_code == 200
    assert "<h2 id=\"group-entity\">Resources" in answer.text
    assert "<h2 id=\"group-quote\">Quotes from the article" in answer.text
    assert "format=json&amp;q=Soviet" in answer.text
    assert answer.headers["Vary"].count("Accept")


def test_a_long_search_is_400(article_server):
    answer = requests.get(article_server.url + iris.SEARCH_ROUTE, params={"q": "x" * 500},
                          timeout=30)
    assert answer.status_code == 400
    assert "at most 200" in answer.text


def test_an_unknown_format_is_400_and_names_the_known_one(article_server):
    answer = requests.get(article_server.url + iris.SEARCH_ROUTE,
                          params={"q": "Lwow", "format": "xml"}, timeout=30)
    assert answer.status_code == 400
    assert "known: json" in answer.text


def test_every_page_has_the_search_box(article_server):
    for path in ("/", "/article", "/ontology", "/resource/Lwow", "/dumps/", iris.QUERY_ROUTE,
                 iris.SEARCH_ROUTE):
        page = requests.get(article_server.url + path, headers={"Accept": BROWSER_ACCEPT},
                            timeout=30).text
        assert f'action="{iris.SEARCH_ROUTE}"' in page and 'name="q"' in page, path


def test_a_wrong_case_resource_url_redirects(article_server):
    answer = requests.get(article_server.url + "/resource/lwow",
                          headers={"Accept": BROWSER_ACCEPT}, allow_redirects=False, timeout=30)
    assert answer.status_code == 301
    assert answer.headers["Location"].endswith("/resource/Lwow")


def test_a_near_miss_resource_url_suggests(article_server):
    answer = requests.get(article_server.url + "/resource/Lwuw",
                          headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert answer.status_code == 404
    assert 'href="/resource/Lwow"' in answer.text.split("Did you mean", 1)[1]


def test_an_unknown_url_gets_the_styled_404_and_clients_plain_text(article_server):
    page = requests.get(article_server.url + "/no/such/page",
                        headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert 'class="skip"' in page.text and f'action="{iris.SEARCH_ROUTE}"' in page.text
    plain = requests.get(article_server.url + "/no/such/page", timeout=30)
    assert plain.status_code == 404 and plain.headers["Content-Type"].startswith("text/plain")


def test_kg_load_rebuilds_the_index_with_the_store(tmp_path):
    flags = copy_sources(tmp_path)
    argv = [sys.executable, "-m", "kg.cli", "load"]
    for flag, value in flags.items():
        argv += [flag, str(value)]
    subprocess.run(argv, check=True, capture_output=True)
    first = search.index_path(Layout(flags["--store"]).current_version())
    assert not search.search(first, "Zbruczgrad")
    with open(flags["--data-file"], "a", encoding="utf-8") as data:
        data.write('\n<https://w3id.org/kresy1939/resource/Zbruczgrad> '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "Zbruczgrad"@en .\n')
    subprocess.run(argv, check=True, capture_output=True)
    second = search.index_path(Layout(flags["--store"]).current_version())
    assert second != first
    assert [hit.iri for hit in search.search(second, "zbruczgrad")] == [
        iris.resource("Zbruczgrad")]
