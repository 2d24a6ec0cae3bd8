"""The SPARQL 1.1 Protocol as a client sees it: ways of asking, formats, CORS, gzip, prefixes."""

import gzip
import io

import pyoxigraph as ox
import pytest
import rdflib
import requests
from conftest import auth
from rdflib.compare import isomorphic

from kg import formats
from kg.iris import DATA_GRAPH, ENTAILED_GRAPH, ONTOLOGY_GRAPH

EVENTS = "SELECT ?e WHERE { ?e a kg:Event } ORDER BY ?e"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
#: Every IRI of the W3C formats namespace (https://www.w3.org/ns/formats/), as it lists them.
W3C_FORMATS = {"http://www.w3.org/ns/formats/" + name for name in (
    "JSON-LD", "N3", "N-Triples", "N-Quads", "LD_Patch", "microdata", "OWL_XML",
    "OWL_Functional", "OWL_Manchester", "POWDER", "POWDER-S", "PROV-N", "PROV-XML",
    "RDF_JSON", "RDF_XML", "RIF_XML", "RDFa", "Turtle", "TriG", "SPARQL_Results_XML",
    "SPARQL_Results_JSON", "SPARQL_Results_CSV", "SPARQL_Results_TSV")}


def test_get_post_form_and_post_direct_give_the_same_answer(server):
    by_get = requests.get(server.url + "/sparql", params={"query": EVENTS})
    by_form = requests.post(server.url + "/sparql", data={"query": EVENTS})
    by_body = requests.post(server.url + "/sparql", data=EVENTS.encode(),
                            headers={"Content-Type": "application/sparql-query"})
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.json() == by_form.json() == by_body.json()
    assert by_get.headers["Content-Type"].startswith("application/sparql-results+json")


@pytest.mark.parametrize("fmt", formats.of_kind(formats.RESULTS), ids=lambda f: f.name)
def test_every_results_format_by_accept_and_by_format_parameter(server, fmt):
    by_accept = server.query(EVENTS, accept=fmt.media_type)
    by_param = requests.get(server.url + "/sparql", params={"query": EVENTS, "format": fmt.name})
    for response in (by_accept, by_param):
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == fmt.media_type
    assert by_accept.content == by_param.content
    if fmt.name != "csv":  # pyoxigraph parses every results format but CSV
        rows = list(ox.parse_query_results(by_accept.content, fmt.oxigraph))
        assert len(rows) == 5


@pytest.mark.parametrize("fmt", formats.of_kind(formats.GRAPH), ids=lambda f: f.name)
def test_every_graph_format_for_construct(server, fmt):
    query = "CONSTRUCT { ?e a kg:Event } WHERE { ?e a kg:Event }"
    response = server.query(query, accept=fmt.media_type)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == fmt.media_type
    triples = list(ox.parse(response.content, fmt.oxigraph))
    assert len(triples) == 5


def test_accept_q_values_pick_the_preferred_format(server):
    accept = "application/sparql-results+json;q=0.2, text/csv;q=0.9, */*;q=0.1"
    response = server.query(EVENTS, accept=accept)
    assert response.headers["Content-Type"].startswith("text/csv")
    construct = server.query("DESCRIBE kgr:Lwow", accept="text/turtle;q=0.5, application/n-triples")
    assert construct.headers["Content-Type"].startswith("application/n-triples")


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    ("application/sparql-results+xml;charset=UTF-8", "application/sparql-results+xml"),
    ("text/csv;header=present", "text/csv"),
    ('text/tab-separated-values; charset=utf-8; foo="bar"', "text/tab-separated-values"),
])
def test_accept_with_media_type_parameters_is_honoured(server, accept, media_type):
    for response in (server.query(EVENTS, accept=accept),
                     requests.get(server.url + "/sparql", params={"query": EVENTS},
                                  headers={"Accept": accept}, timeout=30)):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].split(";")[0] == media_type


def test_accept_parameters_on_graph_answers_and_the_graph_store(server):
    construct = server.query("CONSTRUCT WHERE { ?s a kg:Invasion }",
                             accept="text/turtle;charset=utf-8")
    assert construct.status_code == 200
    assert construct.headers["Content-Type"].startswith("text/turtle")
    stored = requests.get(server.url + "/store", params={"graph": DATA_GRAPH}, timeout=30,
                          headers={"Accept": "application/n-triples; charset=utf-8"})
    assert stored.status_code == 200
    assert stored.headers["Content-Type"].startswith("application/n-triples")


def test_406_when_no_acceptable_format(server):
    response = server.query(EVENTS, accept="image/png")
    assert response.status_code == 406
    assert "Traceback" not in response.text
    construct = server.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="text/csv")
    assert construct.status_code == 406


def test_unknown_format_parameter_is_400(server):
    response = requests.get(server.url + "/sparql", params={"query": EVENTS, "format": "pdf"})
    assert response.status_code == 400


def test_ask_and_describe(server):
    assert server.ask("ASK { kgr:SovietInvasionOfPoland kg:startDate ?d }") is True
    response = server.query("DESCRIBE kgr:Lwow", accept="text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/kresy1939/resource/Lwow"), rdflib.RDFS.label,
            rdflib.Literal("Lwów", lang="en")) in graph


def test_predeclared_prefixes_work_undeclared_and_redeclared(server):
    undeclared = server.select("SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }")
    redeclared = server.select(
        "PREFIX kg: <https://w3id.org/kresy1939/ontology#>\n"
        "PREFIX kgr: <https://w3id.org/kresy1939/resource/>\n"
        "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }")
    assert undeclared == redeclared == [{"d": "1939-09-17"}]
    rebound = server.select("PREFIX kg: <http://example.org/> SELECT ?s WHERE { ?s kg:x ?o }")
    assert rebound == []


def test_default_graph_is_the_union_and_naming_the_data_graph_gives_asserted_only(server):
    union = {row["e"] for row in server.select(EVENTS)}
    assert "https://w3id.org/kresy1939/resource/SovietInvasionOfPoland" in union
    asserted = server.select(f"SELECT ?e FROM <{DATA_GRAPH}> WHERE {{ ?e a kg:Event }}")
    assert asserted == []
    by_protocol = requests.get(server.url + "/sparql", params={
        "query": "SELECT ?e WHERE { ?e a kg:Event }", "default-graph-uri": DATA_GRAPH})
    assert by_protocol.json()["results"]["bindings"] == []


def test_from_is_told_apart_from_names_that_end_in_from(server):
    # prov:wasDerivedFrom or a local name "from" is no FROM clause: the union is queried...
    for mention in ("?x prov:wasDerivedFrom ?y", "?x <http://example.org/from> ?y"):
        union = server.select(f"SELECT ?e WHERE {{ ?e a kg:Event OPTIONAL {{ {mention} }} }}")
        assert {"e": "https://w3id.org/kresy1939/resource/SovietInvasionOfPoland"} in union
    # ...while a FROM clause in any case or spacing names the dataset.
    for query in (f"SELECT ?e from <{DATA_GRAPH}> WHERE {{ ?e a kg:Event }}",
                  f"SELECT *FROM<{DATA_GRAPH}>WHERE {{ ?e a kg:Event }}"):
        assert server.select(query) == []


def test_entailments_are_in_their_graph_with_provenance_and_without_noise(server):
    rows = server.select(f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{ENTAILED_GRAPH}> {{ ?s ?p ?o }}
        FILTER NOT EXISTS {{ GRAPH <{ENTAILED_GRAPH}> {{ ?s a prov:Activity }} }}
        FILTER (?s != <{ENTAILED_GRAPH}>) }}""")
    assert rows
    for row in rows:
        assert row["s"].startswith("https://w3id.org/kresy1939/resource/")
        vocabulary = row["o"] if row["p"].endswith("#type") else row["p"]
        assert vocabulary.startswith("https://w3id.org/kresy1939/ontology#"), row
    assert {"s": "https://w3id.org/kresy1939/resource/WorldWarII",
            "p": "https://w3id.org/kresy1939/ontology#hasPart",
            "o": "https://w3id.org/kresy1939/resource/SovietInvasionOfPoland"} in rows
    assert server.ask(f"""ASK {{ GRAPH <{ENTAILED_GRAPH}> {{
        <{ENTAILED_GRAPH}> prov:wasGeneratedBy ?a . ?a a prov:Activity ; kg:method ?m ;
        prov:startedAtTime ?t }} }}""")
    # subproperty entailment: belligerent implies participant
    assert server.ask("ASK { kgr:SovietInvasionOfPoland kg:participant kgr:SovietUnion }")


@pytest.mark.parametrize("fmt", formats.of_kind(formats.GRAPH), ids=lambda f: f.name)
def test_service_description_in_every_rdf_format(server, fmt):
    response = requests.get(server.url + "/sparql", headers={"Accept": fmt.media_type})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == fmt.media_type
    quads = list(ox.parse(response.content, fmt.oxigraph))
    services = [q for q in quads if q.object == ox.NamedNode(SD + "Service")]
    assert len(services) == 1


def test_service_description_lists_graphs_formats_and_features(server):
    response = requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # read-only
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    advertised = {str(o) for o in graph.objects(service, SD.resultFormat)}
    assert advertised == {f.iri for f in formats.FORMATS}
    assert advertised <= W3C_FORMATS
    assert "http://www.w3.org/ns/formats/JSON-LD" in advertised
    assert len(set(graph.subjects(rdflib.RDF.type, SD.Service))) == 1  # no update service
    names = {str(o) for o in graph.objects(predicate=SD.name)}
    assert names == {DATA_GRAPH, ENTAILED_GRAPH, ONTOLOGY_GRAPH}


def test_cors_lets_a_page_on_another_origin_query(server):
    response = requests.get(server.url + "/sparql", params={"query": EVENTS},
                            headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Result-Truncated" in response.headers["Access-Control-Expose-Headers"]
    preflight = requests.options(server.url + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code in (200, 204)
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def preflight(server, path, method):
    return requests.options(server.url + path, timeout=30, headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type"})


def test_cors_lets_a_page_send_the_token_to_the_write_routes(writable_server, server):
    for path, method in (("/update", "POST"), ("/store?graph=http://example.org/cors", "PUT")):
        answer = preflight(writable_server, path, method)
        assert answer.status_code in (200, 204)
        assert "Authorization" in answer.headers["Access-Control-Allow-Headers"]
        assert method in answer.headers["Access-Control-Allow-Methods"]
        # ...and without a token no page is invited to send one.
        read_only = preflight(server, path, method)
        assert "Authorization" not in read_only.headers["Access-Control-Allow-Headers"]
    # The query endpoint never asks for credentials.
    assert "Authorization" not in preflight(writable_server, "/sparql", "POST").headers[
        "Access-Control-Allow-Headers"]
    # The token is still checked on the request that follows.
    origin = {"Origin": "https://yasgui.example"}
    refused = requests.post(writable_server.url + "/update", headers=origin, timeout=30,
                            data={"update": "CLEAR SILENT GRAPH <http://example.org/cors>"})
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == "*"
    allowed = requests.post(writable_server.url + "/update", headers={**origin, **auth()},
                            data={"update": "CLEAR SILENT GRAPH <http://example.org/cors>"},
                            timeout=30)
    assert allowed.status_code == 204


def test_gzip_for_clients_that_accept_it(server):
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    raw = requests.post(server.url + "/sparql", data={"query": query}, stream=True,
                        headers={"Accept": "application/n-triples", "Accept-Encoding": "gzip"})
    assert raw.headers["Content-Encoding"] == "gzip"
    body = gzip.GzipFile(fileobj=io.BytesIO(raw.raw.read())).read()
    assert b"SovietInvasionOfPoland" in body
    plain = requests.post(server.url + "/sparql", data={"query": query}, headers={
        "Accept": "application/n-triples", "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers


def test_graph_store_get_returns_one_graph(server):
    response = requests.get(server.url + "/store", params={"graph": ONTOLOGY_GRAPH},
                            headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert b"subClassOf" in response.content and b"SovietInvasionOfPoland" not in response.content
    missing = requests.get(server.url + "/store", params={"graph": "http://example.org/none"})
    assert missing.status_code == 404


def test_graph_store_default_is_the_union_default_graph_of_queries(server):
    """GET /store?default answers what a query's default graph holds (sd:UnionDefaultGraph)."""
    for accept in ("application/n-triples", "application/n-quads"):
        stored = requests.get(server.url + "/store?default", headers={"Accept": accept},
                              timeout=60)
        assert stored.status_code == 200
        parsed = list(ox.parse(stored.content, format=ox.RdfFormat.from_media_type(accept)))
        assert all(q.graph_name == ox.DefaultGraph() for q in parsed)
        queried = server.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
        union = rdflib.Graph().parse(data=queried.text, format="nt")
        in_store = rdflib.Graph().parse(data=ox.serialize(
            [q.triple for q in parsed], format=ox.RdfFormat.N_TRIPLES), format="nt")
        assert len(union) > 0 and len(parsed) == len(union)
        assert isomorphic(in_store, union)


def test_graph_store_writes_to_default_go_to_the_unnamed_graph(writable_server):
    triple = b'<http://example.org/gsp-default> <http://example.org/p> "x" .'
    put = requests.put(writable_server.url + "/store?default", data=triple, timeout=60,
                       headers={"Content-Type": "application/n-triples", **auth()})
    assert put.status_code in (201, 204)
    ask = "ASK { <http://example.org/gsp-default> ?p ?o }"
    assert writable_server.ask(ask)
    union = requests.get(writable_server.url + "/store?default", timeout=60,
                         headers={"Accept": "application/n-triples"}).text
    assert "http://example.org/gsp-default" in union and "SovietInvasionOfPoland" in union
    assert requests.delete(writable_server.url + "/store?default", headers=auth(),
                           timeout=60).status_code == 204
    assert not writable_server.ask(ask)
    assert writable_server.ask("ASK { kgr:SovietInvasionOfPoland ?p ?o }")  # graphs stay


def test_healthz_reports_the_loaded_store(server):
    health = requests.get(server.url + "/healthz").json()
    assert health["status"] == "ok" and health["quads"] > 0


def test_healthz_shows_no_file_paths_and_the_log_has_them(server):
    answer = requests.get(server.url + "/healthz")
    assert set(answer.json()) <= {"status", "version", "quads", "loaded_at", "updated"}
    assert str(server.workdir) not in answer.text and "/src/" not in answer.text
    assert str(server.flags["--data-file"]) in server.log.read_text()


def test_every_request_is_logged_with_a_hash_of_the_query(server):
    import hashlib

    query = "SELECT * WHERE { ?s kg:location ?o } # log me"
    server.query(query)
    digest = hashlib.sha256(query.encode()).hexdigest()[:12]
    lines = [line for line in server.log.read_text().splitlines() if digest in line]
    assert lines and "POST /sparql 200" in lines[-1] and "ms" in lines[-1]
