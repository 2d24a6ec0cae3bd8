"""The query page and its APIs, on a real server over the real graph."""

import json
import re
from pathlib import Path

import pyoxigraph as ox
import requests

from kg.iris import ONTOLOGY_NS, PREFIXES, PROJECT_ROOT, RESOURCE
from kg.settings import Settings
from kg.store import Answer
from kg.web import create_app, query_page

STATIC = PROJECT_ROOT / "src" / "kg" / "web" / "static" / "query"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(server, path, **kwargs):
    return requests.get(server.url + path, timeout=30, **kwargs)


def test_query_page_loads_only_local_scripts_and_styles(article_server):
    response = get(article_server, "/query")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    # What the page loads: scripts, styles and icons (links to other sites are no loads).
    sources = re.findall(r'<(?:script[^>]* src|link[^>]* href)="([^"]+)"', page)
    assert "/static/query/app.js" in sources and "/static/query/query.css" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    for source in sources:
        if source.startswith("/static/"):
            assert get(article_server, source).status_code == 200, source


def test_page_scripts_import_nothing_from_other_hosts():
    for script in STATIC.glob("*.js"):
        for target in re.findall(r'^import .* from "([^"]+)"', script.read_text(), re.M):
            assert target.startswith("./"), f"{script.name} imports {target}"
    assert "url(" not in (STATIC / "query.css").read_text()


def test_sparql_shows_the_page_to_a_browser_and_rdf_to_clients(article_server):
    browser = get(article_server, "/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert browser.status_code == 200 and 'id="editor"' in browser.text
    assert "Accept" in browser.headers["Vary"]
    for accept in ("*/*", "text/turtle"):
        client = get(article_server, "/sparql", headers={"Accept": accept})
        assert client.status_code == 200
        assert client.headers["Content-Type"].startswith("text/turtle"), accept
    # With a query, even a browser gets the answer.
    answer = get(article_server, "/sparql", params={"query": "ASK {}"},
                 headers={"Accept": BROWSER_ACCEPT})
    assert "html" not in answer.headers["Content-Type"]


def labels(server, text, **params):
    response = get(server, "/api/labels", params={"q": text, **params})
    assert response.status_code == 200
    return response.json()["results"]


def test_label_search_ignores_accents_and_case(article_server):
    (lwow, *_) = labels(article_server, "lwow")
    assert lwow["iri"] == RESOURCE + "Lwow" and lwow["label"] == "Lwów"
    assert lwow["qname"] == "kgr:Lwow" and lwow["href"] == "/resource/Lwow"
    assert labels(article_server, "Luck")[0]["label"] == "Łuck"
    assert labels(article_server, "wlodzimierz")[0]["label"] == "Włodzimierz Wołyński"


def test_label_search_reads_alternative_and_other_language_labels(article_server):
    (hit, *_) = labels(article_server, "USSR")
    assert hit["iri"] == RESOURCE + "SovietUnion" and hit["matched"] == "USSR"
    (hit, *_) = labels(article_server, "Invasi Soviet")
    assert hit["iri"] == RESOURCE + "SovietInvasionOfPoland"
    assert hit["label"] == "Soviet invasion of Poland"  # English shown, Indonesian matched


def test_label_search_limits_and_rejects_bad_limits(article_server):
    assert len(labels(article_server, "o", limit=3)) == 3
    assert get(article_server, "/api/labels", params={"q": "o", "limit": "x"}).status_code == 400


def test_label_lookup_gives_the_label_to_show_for_iris(article_server):
    wanted = [RESOURCE + "Luck", "http://www.wikidata.org/entity/Q7550"]
    response = requests.post(article_server.url + "/api/labels", json={"iris": wanted}, timeout=30)
    assert response.status_code == 200
    assert response.json()["labels"] == {RESOURCE + "Luck": "Łuck"}
    bad = requests.post(article_server.url + "/api/labels", json={"iris": "x"}, timeout=30)
    assert bad.status_code == 400


def test_vocabulary_lists_classes_and_properties_for_completion(article_server):
    terms = {t["iri"]: t for t in get(article_server, "/api/vocabulary").json()["terms"]}
    assert terms[ONTOLOGY_NS + "City"]["kind"] == "class"
    assert terms[ONTOLOGY_NS + "startDate"]["kind"] == "property"


def test_examples_api_serves_the_menu(article_server):
    examples = get(article_server, "/api/examples").json()["examples"]
    assert len(examples) >= 15
    assert all(e["title"] and e["query"].startswith("# title:") for e in examples)
    assert [e["name"] for e in examples if e["needs"]] == ["12-federated-wikidata"]


def test_editor_bundle_ships_the_licence_of_every_package_in_it():
    lock = json.loads((PROJECT_ROOT / "frontend" / "package-lock.json").read_text())
    versions = {path.removeprefix("node_modules/"): meta["version"]
                for path, meta in lock["packages"].items() if path}
    licences = (STATIC / "vendor" / "LICENSES.txt").read_text()
    bundled = re.findall(r"^(@?[\w/.-]+)@([\d.]+) \((\w[\w.-]*)\)$", licences, re.M)
    assert len(bundled) >= 10
    for name, version, licence in bundled:
        assert versions[name] == version, name  # the bundle matches the lock file
        assert licence == "MIT"
    assert Path(STATIC / "vendor" / "codemirror.js").stat().st_size > 100_000


class VersionedStore:
    """An in-memory store that says which version it holds, as the real one does."""

    def __init__(self):
        self.graph = ox.Store()
        self.version = "v1"

    def query(self, request):
        answer = self.graph.query(request.query)
        return Answer(answer.serialize(format=ox.QueryResultsFormat.JSON), "json")

    def health(self):
        return {"status": "ok", "version": self.version}


def test_label_search_follows_a_new_store_version(monkeypatch):
    monkeypatch.setattr(query_page, "CACHE_SECONDS", 0.0)
    versioned = VersionedStore()
    client = create_app(Settings.load(), graph_store=versioned).test_client()
    assert client.get("/api/labels?q=zazolc").json["results"] == []
    versioned.graph.add(ox.Quad(ox.NamedNode(RESOURCE + "Gesla"),
                                ox.NamedNode(PREFIXES["rdfs"] + "label"),
                                ox.Literal("Zażółć gęślą jaźń", language="pl")))
    # Same version: the index is reused, so typing costs no query.
    assert client.get("/api/labels?q=zazolc").json["results"] == []
    versioned.version = "v2"
    (hit,) = client.get("/api/labels?q=zazolc gesla").json["results"]
    assert hit["iri"] == RESOURCE + "Gesla" and hit["label"] == "Zażółć gęślą jaźń"
