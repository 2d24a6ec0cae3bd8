"""The app over a remote engine (``KG_STORE_BACKEND=sparql``: ``oxigraph serve`` and Debian's
Virtuoso) answers every route and example query as it does over the local store.

Answers are compared as a user would: RDF as graphs (blank nodes canonicalised), SPARQL
results as rows (in order when the query orders them), everything else byte for byte with
the server's own URL written out. A difference must be listed, with its reason, in
``tests/remote_differences.yaml``; a listed difference that no longer occurs fails too.
"""

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
import yaml
from conftest import TOKEN, Server, auth
from engines import Oxigraph, Virtuoso, copy_of_local_store, kg_load

from kg import formats
from kg.iris import ONTOLOGY_DIR, PREFIXES, TRIPLES_FILE, data_route, local_route
from kg.web.examples import load_examples

KNOWN = yaml.safe_load((Path(__file__).parent / "remote_differences.yaml").read_text())
WRITTEN_AT = re.compile(r"written\s+\d{4}-\d\d-\d\dT[\d:]+\+00:00")
RDF_TYPES = {f.media_type: f.oxigraph for f in formats.of_kind(formats.GRAPH)}


ENGINES = {engine.name: engine for engine in (Oxigraph, Virtuoso)}


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine(request, article_server, tmp_path_factory):
    """Each engine, holding exactly the quads of the local article server's store."""
    workdir = tmp_path_factory.mktemp(request.param)
    store = article_server.flags["--store"]
    if request.param == "oxigraph":
        started = Oxigraph(copy_of_local_store(store, workdir / "oxigraph")).start()
    else:
        started = Virtuoso(workdir / "virtuoso").start()
        started.load_local_store(store)
    yield started
    started.kill()


@pytest.fixture(scope="module")
def remote(engine, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("remote")
    flags = {"--store": workdir / "store", "--ontology-dir": ONTOLOGY_DIR,
             "--data-file": TRIPLES_FILE}
    started = Server(workdir, flags, engine.env()).start()
    yield started
    started.stop()


def requests_to_compare(server) -> list[tuple[str, str, dict]]:
    """(method, path, options) for every route, resource and example query."""
    resources = [row["s"] for row in server.select(
        'SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER STRSTARTS(STR(?s), STR(kgr:)) } ORDER BY ?s')]
    graphs = [row["g"] for row in server.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")]
    turtle = {"headers": {"Accept": "text/turtle"}}
    found = [("GET", path, {}) for path in (
        "/", "/article", "/query", "/ontology", "/dumps/", "/api/vocabulary", "/api/examples",
        "/api/labels?prefix=Sov", "/reconcile", "/openapi.json", "/graph/data",
        "/reconcile?queries=" + json.dumps({"q0": {"query": "Lwów"}}),
        "/reconcile/preview?id=" + PREFIXES["kgr"] + "Lwow")]
    found += [("GET", "/sparql", turtle), ("GET", "/.well-known/void", turtle),
              ("GET", "/store?default", turtle)]
    found += [("GET", f"/store?graph={g}", turtle) for g in graphs]
    found += [("GET", data_route(PREFIXES["kg"], f.suffix), {})
              for f in formats.of_kind(formats.GRAPH)]
    # Every entity; of the thousands of statement and evidence nodes (one template each),
    # one in 200, to keep the comparison within a minute.
    provenance = [iri for iri in resources if iri.split("/")[-1].startswith(("stmt-", "ev-"))]
    for iri in [iri for iri in resources if iri not in provenance] + provenance[::200]:
        found += [("GET", local_route(iri), {}), ("GET", data_route(iri, "ttl"), {})]
    for example in load_examples():
        if example.needs:  # SERVICE: refused in remote mode (README), compared below
            continue
        found.append(("POST", "/sparql", {"data": {"query": example.query}, "headers": {
            "Accept": "application/sparql-results+json, text/turtle;q=0.9"}}))
    return found


def normalised(response: requests.Response, base: str, query: str | None):
    """What a user compares: graphs as canonical N-Quads, rows as a list (sorted unless the
    query orders them), anything else as text; the server's own URL and the time a page says
    its dump files were written (each front end writes its own) are written out."""
    media_type = response.headers.get("Content-Type", "").split(";")[0]
    text = response.content.decode("utf-8", "replace").replace(base, "http://server")
    if media_type in RDF_TYPES and response.status_code == 200:
        dataset = ox.Dataset(ox.parse(text.encode(), RDF_TYPES[media_type],
                                      base_iri=response.url.replace(base, "http://server")))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return sorted(str(q) for q in dataset)
    if media_type == "application/sparql-results+json":
        answer = json.loads(text)
        if "boolean" in answer:
            return answer
        rows = [json.dumps(row, sort_keys=True) for row in answer["results"]["bindings"]]
        return rows if query and "order by" in query.lower() else sorted(rows)
    return WRITTEN_AT.sub("<time>", text)


def differences(local, remote) -> list[str]:
    found = []
    for method, path, options in requests_to_compare(local):
        query = options.get("data", {}).get("query")
        answers = [requests.request(method, server.url + path, allow_redirects=False,
                                    timeout=60, **options) for server in (local, remote)]
        label = f"{method} {path}" + (f" {query.splitlines()[0]}" if query else "")
        a, b = answers
        if a.status_code != b.status_code:
            found.append(f"{label}: status {a.status_code} vs {b.status_code}")
        elif a.headers.get("Content-Type") != b.headers.get("Content-Type"):
            found.append(f"{label}: Content-Type differs")
        elif a.headers.get("X-Result-Truncated") != b.headers.get("X-Result-Truncated"):
            found.append(f"{label}: X-Result-Truncated differs")
        elif normalised(a, local.url, query) != normalised(b, remote.url, query):
            found.append(f"{label}: body differs")
    return found


@pytest.mark.slow
def test_every_route_and_example_answers_as_over_the_local_store(article_server, engine, remote):
    found = differences(article_server, remote)
    known = {entry["request"] for entry in KNOWN[engine.name]}
    assert [d for d in found if d.rsplit(": ", 1)[0] not in known] == []
    assert known - {d.rsplit(": ", 1)[0] for d in found} == set(), "stale entries in the list"


def test_row_cap_is_exact_and_flagged_in_remote_mode(engine, tmp_path):
    server = Server(tmp_path, {"--store": tmp_path / "store"},
                    {**engine.env(), "KG_MAX_ROWS": "7"}).start()
    try:
        response = server.query("SELECT * WHERE { ?s ?p ?o }", accept="text/csv")
        assert response.status_code == 200
        assert response.headers["X-Result-Truncated"] == "true"
        assert len(response.text.strip().splitlines()) == 1 + 7
        construct = server.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
        assert construct.headers["X-Result-Truncated"] == "true"
        assert len(construct.text.strip().splitlines()) == 7
    finally:
        server.stop()


def test_remote_mode_keeps_the_union_graph_prefixes_and_errors(remote):
    # Predeclared prefixes, and the union of the project's graphs (the entailed type too).
    assert remote.ask("ASK { kgr:SovietInvasionOfPoland a kg:Event }")
    # A dataset named in the request or the query is that dataset only.
    data = PREFIXES["kg"].replace("ontology#", "graph/data")
    assert remote.query("ASK { kgr:SovietInvasionOfPoland a kg:Event }",
                        **{"default-graph-uri": data}).json()["boolean"] is False
    assert remote.ask(f"ASK FROM <{data}> {{ kgr:SovietInvasionOfPoland a kg:Invasion }}")
    # Blank nodes come back as blank nodes, in rows and in graphs (Virtuoso writes their
    # labels as nodeID://…, which no parser takes).
    rows = remote.query("SELECT ?r WHERE { ?r a owl:Restriction } LIMIT 1").json()
    assert rows["results"]["bindings"][0]["r"]["type"] == "bnode"
    graph = remote.query("CONSTRUCT WHERE { ?r a owl:Restriction }", accept="text/turtle")
    assert graph.status_code == 200 and "_:" in graph.text
    syntax = remote.query("SELECT * WHERE { ?s ?p }")
    assert syntax.status_code == 400 and "syntax" in syntax.text
    assert remote.query("SELECT * WHERE { ?s ?p ?o }", accept="text/turtle").status_code == 406


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
    "DEFINE input:grab-all \"yes\" SELECT * WHERE { ?s ?p ?o }",  # Virtuoso's Sponger
    "DEFINE get:soft \"replace\" SELECT * FROM <http://example.org/> WHERE { ?s ?p ?o }",
])
def test_service_and_engine_pragmas_are_refused_before_the_engine(remote, query):
    response = remote.query(query)
    assert response.status_code == 400
    assert "Traceback" not in response.text


def test_writes_go_to_the_engine_through_store_methods(engine, tmp_path):
    server = Server(tmp_path, {"--store": tmp_path / "store"},
                    {**engine.env(), "KG_UPDATE_TOKEN": TOKEN}).start()
    graph = "https://example.org/remote-test"
    try:
        put = requests.put(f"{server.url}/store?graph={graph}", data="<urn:a> <urn:b> <urn:c> .",
                           headers={"Content-Type": "application/n-triples", **auth()})
        assert put.status_code == 201
        post = requests.post(f"{server.url}/store?graph={graph}",
                             data="<urn:a> <urn:b> <urn:d> .",
                             headers={"Content-Type": "application/n-triples", **auth()})
        assert post.status_code == 204
        engine_rows = requests.post(engine.query_url, data={
            "query": f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
            headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
        assert sorted(row["o"]["value"] for row in engine_rows) == ["urn:c", "urn:d"]
        # The answer cache follows our own writes at once.
        assert len(server.select(f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")) == 2
        update = requests.post(server.url + "/update", headers=auth(), data={
            "update": f"INSERT DATA {{ GRAPH <{graph}> {{ kgr:x kg:y kgr:z }} }}"})
        assert update.status_code == 204
        assert server.ask(f"ASK {{ GRAPH <{graph}> {{ kgr:x kg:y kgr:z }} }}")
        load = requests.post(server.url + "/update", headers=auth(),
                             data={"update": "LOAD <http://example.org/data.ttl>"})
        assert load.status_code == 400
        drop = requests.delete(f"{server.url}/store?graph={graph}", headers=auth())
        assert drop.status_code == 204
        assert graph not in requests.get(engine.query_url, params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}).text
    finally:
        server.stop()


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_kg_load_onto_the_engine_writes_what_a_local_load_writes(article_server, tmp_path, name):
    engine = ENGINES[name](tmp_path / name).start()
    try:
        kg_load(engine.env())
        flags = {"--store": tmp_path / "store"}
        remote = Server(tmp_path, flags, engine.env()).start()
        try:
            # Everything but the entailment activity, which records when each load ran, and
            # the ontology's blank nodes, whose labels differ from one parse to the next.
            query = """SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
                FILTER NOT EXISTS { ?s a prov:Activity } FILTER(!isBlank(?s) && !isBlank(?o))
            }"""
            rows = [sorted(map(str, server.select(query))) for server in (article_server, remote)]
            assert len(rows[0]) > 6000 and rows[0] == rows[1]
            assert requests.get(remote.url + "/healthz").json()["status"] == "ok"
        finally:
            remote.stop()
    finally:
        engine.kill()
