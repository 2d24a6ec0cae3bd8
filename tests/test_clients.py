"""Common clients work against the endpoint: SPARQLWrapper, rdflib's SPARQLStore and
SPARQLUpdateStore, the W3C results schema, the Reconciliation API schemas, raptor's rapper."""

import json
import subprocess
from pathlib import Path
from urllib.error import HTTPError

import pytest
import rdflib
import requests
import xmlschema
from conftest import TOKEN
from jsonschema import Draft7Validator
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from SPARQLWrapper import GET, JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.dump import DUMPS
from kg.iris import DATA_GRAPH

KGR = rdflib.Namespace("https://w3id.org/kresy1939/resource/")
KG = rdflib.Namespace("https://w3id.org/kresy1939/ontology#")
PREFIXES = ("PREFIX kg: <https://w3id.org/kresy1939/ontology#>\n"
            "PREFIX kgr: <https://w3id.org/kresy1939/resource/>\n")


def test_sparqlwrapper_select_ask_construct_by_get_and_post(server):
    for method in (GET, POST):
        client = SPARQLWrapper(server.url + "/sparql")
        client.setMethod(method)
        client.setReturnFormat(JSON)
        client.setQuery(PREFIXES + "SELECT ?e WHERE { ?e a kg:Invasion }")
        rows = client.queryAndConvert()["results"]["bindings"]
        assert [r["e"]["value"] for r in rows] == [str(KGR.SovietInvasionOfPoland)]

        client.setQuery(PREFIXES + "ASK { kgr:SovietInvasionOfPoland kg:partOf kgr:WorldWarII }")
        assert client.queryAndConvert()["boolean"] is True

        client.setReturnFormat(XML)
        client.setQuery(PREFIXES + "CONSTRUCT { ?e a kg:Event } WHERE { ?e a kg:Event }")
        graph = client.queryAndConvert()
        assert (KGR.YaltaConference, rdflib.RDF.type, KG.Event) in graph

        client.setReturnFormat(TURTLE)
        client.setQuery(PREFIXES + "DESCRIBE kgr:Lwow")
        turtle = client.queryAndConvert()
        described = rdflib.Graph().parse(data=turtle, format="turtle")
        assert (KGR.Lwow, rdflib.RDFS.label, rdflib.Literal("Lwów", lang="en")) in described


def test_rdflib_sparqlstore_reads_the_graph(server):
    store = SPARQLStore(server.url + "/sparql", returnFormat="xml")
    graph = rdflib.Graph(store=store)
    labels = set(graph.objects(KGR.SovietInvasionOfPoland, rdflib.RDFS.label))
    assert rdflib.Literal("Soviet invasion of Poland", lang="en") in labels
    rows = list(graph.query(PREFIXES + "SELECT ?min ?max WHERE { ?c kg:about "
                            "kgr:SovietInvasionOfPoland ; kg:minimum ?min ; kg:maximum ?max }"))
    assert [(int(a), int(b)) for a, b in rows] == [(3000, 7000)]
    assert (KGR.SovietInvasionOfPoland, rdflib.RDF.type, KG.Event) in graph  # entailed


# --- What real clients hit: each test below failed before its fix ---------------------------

SCHEMAS = Path(__file__).parent / "schemas"
RESULTS_XSD = xmlschema.XMLSchema(SCHEMAS / "sparql-results.xsd")


def test_sparqlwrapper_xml_answers_are_valid_sparql_results_xml(server):
    """The W3C schema of the SPARQL Query Results XML Format accepts every XML answer."""
    for query in (PREFIXES + "SELECT ?e ?label WHERE { ?e a kg:Event ; rdfs:label ?label }",
                  PREFIXES + "SELECT * WHERE { ?claim kg:minimum ?min OPTIONAL { ?claim "
                  "kg:nothing ?unbound } }",
                  "SELECT ?b WHERE { ?s ?p ?o FILTER isBlank(?o) BIND(?o AS ?b) } LIMIT 3",
                  PREFIXES + "ASK { kgr:SovietInvasionOfPoland a kg:Event }"):
        client = SPARQLWrapper(server.url + "/sparql")
        client.setReturnFormat(XML)
        client.setQuery(query)
        body = client.query().response.read()
        RESULTS_XSD.validate(body.decode())  # raises on the first error
        assert b"<literal" in body or b"<boolean>" in body or b"<bnode>" in body


def test_sparqlwrapper_with_a_charset_in_accept_gets_its_answer(server):
    """Browser fetch wrappers send media-type parameters; they were refused with 406."""
    client = SPARQLWrapper(server.url + "/sparql")
    client.setReturnFormat(JSON)
    client.setOnlyConneg(True)  # no format= parameter: the Accept header alone decides
    client.addCustomHttpHeader("Accept", "application/sparql-results+json; charset=utf-8")
    client.setQuery(PREFIXES + "SELECT ?e WHERE { ?e a kg:Invasion }")
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [r["e"]["value"] for r in rows] == [str(KGR.SovietInvasionOfPoland)]


def updating_client(url: str) -> SPARQLWrapper:
    client = SPARQLWrapper(url + "/sparql", updateEndpoint=url + "/update")
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    return client


@pytest.mark.parametrize("update", [
    "DROP GRAPH <http://example.org/never>",
    "CLEAR GRAPH <http://example.org/never>",
    "MOVE <http://example.org/never> TO <http://example.org/elsewhere>",
    f"CREATE GRAPH <{DATA_GRAPH}>",
])
def test_sparqlwrapper_sees_an_update_the_dataset_refuses_as_its_own_error(writable_server,
                                                                            update):
    client = updating_client(writable_server.url)
    client.setQuery(update)
    with pytest.raises(QueryBadFormed) as refused:  # 400, was EndPointInternalError (500)
        client.query()
    assert b"does not exist" in str(refused.value).encode() \
        or b"already exists" in str(refused.value).encode()


def test_sparqlwrapper_updates_with_the_token(writable_server):
    client = updating_client(writable_server.url)
    client.setQuery("INSERT DATA { GRAPH <http://example.org/wrapper> "
                    "{ <http://example.org/w> <http://example.org/p> 1 } }")
    assert client.query().response.status == 204
    assert writable_server.ask("ASK { GRAPH <http://example.org/wrapper> { ?s ?p 1 } }")
    client.setQuery("DROP GRAPH <http://example.org/wrapper>")
    client.query()
    assert not writable_server.ask("ASK { GRAPH <http://example.org/wrapper> { ?s ?p ?o } }")


def test_rdflib_sparqlupdatestore_manages_graphs_as_a_dataset(writable_server):
    store = SPARQLUpdateStore(writable_server.url + "/sparql", writable_server.url + "/update",
                              headers={"Authorization": f"Bearer {TOKEN}"})
    dataset = rdflib.Dataset(store=store)
    name = rdflib.URIRef("http://example.org/rdflib-dataset")
    graph = dataset.graph(name)  # CREATE GRAPH
    triple = (rdflib.URIRef("http://example.org/x"), rdflib.RDFS.label, rdflib.Literal("x"))
    graph.add(triple)
    assert triple in rdflib.Graph(store=store, identifier=name)
    assert (KGR.Lwow, rdflib.RDFS.label, rdflib.Literal("Lwów", lang="en")) in \
        rdflib.Graph(store=store, identifier=rdflib.URIRef(DATA_GRAPH))
    dataset.remove_graph(name)  # DROP GRAPH
    assert not writable_server.ask(f"ASK {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
    # A graph that exists cannot be created again: the engine's message, as a client error.
    # (Last: rdflib keeps a refused update in its buffer and sends it again with the next.)
    with pytest.raises(HTTPError) as refused:
        dataset.graph(rdflib.URIRef(DATA_GRAPH))
    assert refused.value.code == 400 and b"already exists" in refused.value.read()


def reconciliation_registry(version: str) -> Registry:
    """The vendored schemas of one API version, found by their own $id (they refer to each
    other so, e.g. 0.2's manifest to type.json)."""
    resources = [Resource.from_contents(json.loads(path.read_text()), DRAFT7)
                 for path in sorted((SCHEMAS / "reconciliation" / version).glob("*.json"))]
    return Registry().with_resources((r.id(), r) for r in resources)


@pytest.mark.parametrize("version", ["0.1", "0.2"])
def test_reconciliation_answers_follow_the_schemas_of_every_version_claimed(server, version):
    manifest = requests.get(server.url + "/reconcile", timeout=30).json()
    assert version in manifest["versions"]
    registry = reconciliation_registry(version)

    def validator(name: str) -> Draft7Validator:
        schema = registry.contents(
            f"https://reconciliation-api.github.io/specs/{version}/schemas/{name}.json")
        return Draft7Validator(schema, registry=registry)

    validator("manifest").validate(manifest)
    batch = {"q0": {"query": "Lwow"}, "q1": {"query": "Soviet Union", "type": "Actor",
                                            "limit": 2}, "q2": {"query": "nothing like it"}}
    answer = requests.post(server.url + "/reconcile", data={"queries": json.dumps(batch)},
                           timeout=30).json()
    validator("reconciliation-result-batch").validate(answer)
    assert answer["q0"]["result"] and answer["q2"]["result"] == []


RAPPER_SYNTAX = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "trig": "trig",
                 "nq": "nquads"}


@pytest.mark.parametrize("dump", [d for d in DUMPS if not d.rdf12
                                  and d.format.name in RAPPER_SYNTAX], ids=lambda d: d.name)
def test_rapper_parses_every_rdf11_dump(server, dump, tmp_path):
    """Debian's raptor (``make rapper`` installs it) reads every RDF 1.1 file of /dumps/."""
    path = tmp_path / dump.name
    path.write_bytes(requests.get(f"{server.url}/dumps/{dump.name}", timeout=60).content)
    parsed = subprocess.run(["rapper", "-i", RAPPER_SYNTAX[dump.format.name], "-c", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert parsed.returncode == 0, parsed.stderr
    expected = {f["name"]: f for f in
                requests.get(f"{server.url}/dumps/index.json", timeout=30).json()["files"]}
    assert f"returned {expected[dump.name]['triples']} " in parsed.stderr, parsed.stderr


def test_rapper_stops_at_the_first_line_of_the_rdf12_dump_as_the_page_says(server, tmp_path):
    (dump,) = [d for d in DUMPS if d.rdf12]
    path = tmp_path / dump.name
    path.write_bytes(requests.get(f"{server.url}/dumps/{dump.name}", timeout=60).content)
    parsed = subprocess.run(["rapper", "-i", "turtle", "-c", str(path)], capture_output=True,
                            text=True, timeout=120)
    assert parsed.returncode != 0 and ":1 " in parsed.stderr, parsed.stderr


COMUNICA = Path(__file__).parent / "clients" / "node_modules" / ".bin" / "comunica-sparql"


def comunica(source: str, query: str) -> list[dict]:
    """The bindings Comunica (``make comunica`` installs it) finds in one source."""
    assert COMUNICA.exists(), "run 'make comunica' (npm ci in tests/clients)"
    answer = subprocess.run([str(COMUNICA), source, query, "-t", "application/sparql-results+json"],
                            capture_output=True, text=True, timeout=180)
    assert answer.returncode == 0, answer.stderr[-1000:]
    return [{k: v["value"] for k, v in row.items()}
            for row in json.loads(answer.stdout)["results"]["bindings"]]


def test_comunica_queries_the_endpoint_a_resource_and_the_dumps(server):
    invasions = PREFIXES + "SELECT ?e WHERE { ?e a kg:Invasion }"
    assert comunica(f"sparql@{server.url}/sparql", invasions) == [
        {"e": str(KGR.SovietInvasionOfPoland)}]
    label = f"SELECT ?l WHERE {{ <{KGR.Lwow}> <{rdflib.RDFS.label}> ?l }}"
    assert {"l": "Lwów"} in comunica(server.url + "/resource/Lwow", label)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    expected = {f["name"]: f["triples"] for f in
                requests.get(f"{server.url}/dumps/index.json", timeout=30).json()["files"]}
    for name in ("kresy1939-data.ttl", "kresy1939-data.jsonld", "kresy1939-all.nt"):
        assert comunica(f"{server.url}/dumps/{name}", count) == [{"n": str(expected[name])}]
