"""Our answers equal those of `oxigraph serve` on the same quads, query by query.

The reference server (PyPI package ``oxigraph``) is loaded with an N-Quads dump of our
store (ontology, data and entailed graphs); queries without FROM are sent to it with
``union-default-graph`` (our default). Its server-wide ``--union-default-graph`` flag is not
used: it would override a query's FROM, which SPARQL says must win. Answers are compared
semantically: SELECT as multisets of rows (lists when ordered), ASK as booleans, graphs by
isomorphism (blank nodes may be named differently).
"""

import collections
import csv
import io
import shutil
import subprocess
import time

import pyoxigraph as ox
import pytest
import rdflib
import requests
from conftest import free_port
from rdflib.compare import isomorphic

from kg.settings import Settings
from kg.store.local import LocalStore

pytestmark = pytest.mark.slow

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX kg: <https://w3id.org/kresy1939/ontology#>
PREFIX kgr: <https://w3id.org/kresy1939/resource/>
"""
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"

#: (query, Accept) pairs: every result format, SELECT/ASK/CONSTRUCT/DESCRIBE, aggregates, paths.
CASES = [
    ("SELECT ?e WHERE { ?e a kg:Event } ORDER BY ?e", JSON),
    ("SELECT ?e WHERE { ?e a kg:Event } ORDER BY ?e", XML),
    ("SELECT ?e ?label WHERE { ?e a kg:Event ; rdfs:label ?label } ORDER BY ?e ?label", CSV),
    ("SELECT ?e ?label WHERE { ?e a kg:Event ; rdfs:label ?label }", TSV),
    ("SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(LANG(?label) = 'de') }", JSON),
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", JSON),
    ("SELECT ?class (COUNT(?x) AS ?n) WHERE { ?x a ?class } GROUP BY ?class "
     "HAVING (COUNT(?x) > 1) ORDER BY DESC(?n) ?class", XML),
    ("SELECT ?whole WHERE { kgr:SovietInvasionOfPoland kg:partOf+ ?whole }", JSON),
    ("SELECT ?x ?y WHERE { ?x (kg:partOf|^kg:hasPart)/kg:partOf* ?y }", TSV),
    ("SELECT ?c ?super WHERE { ?c rdfs:subClassOf* ?super FILTER(?c = kg:Invasion) }", CSV),
    ("SELECT ?e ?place WHERE { ?e a kg:Event OPTIONAL { ?e kg:location ?place } "
     "FILTER NOT EXISTS { ?e a kg:War } }", JSON),
    ("SELECT ?e (UCASE(STR(?l)) AS ?up) (STRLEN(?l) AS ?len) (CONCAT(?l, '!') AS ?c) "
     "WHERE { ?e rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'en')) }", JSON),
    ("SELECT ?e ?l WHERE { VALUES ?e { kgr:Lwow kgr:WorldWarII kgr:Nowhere } "
     "OPTIONAL { ?e rdfs:label ?l } }", JSON),
    ("SELECT ?e ?d WHERE { ?e kg:startDate ?d FILTER(?d >= '1939-09-01'^^xsd:date) }", XML),
    ("SELECT (MIN(?v) AS ?min) (MAX(?v) AS ?max) (SUM(?v) AS ?sum) (AVG(?v) AS ?avg) "
     "WHERE { ?c kg:minimum|kg:maximum ?v }", JSON),
    ("SELECT ?e WHERE { { SELECT ?e WHERE { ?e a kg:Event } ORDER BY ?e LIMIT 2 } }", JSON),
    ("SELECT ?e FROM <https://w3id.org/kresy1939/graph/data> WHERE { ?e a ?t "
     "FILTER(?t IN (kg:Event, kg:Invasion)) }", JSON),
    ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", CSV),
    ("SELECT ?l (DATATYPE(?m) AS ?dt) WHERE { ?c kg:minimum ?m ; kg:quantityKind/rdfs:label ?l "
     "FILTER(REGEX(?l, '^dead', 'i')) }", TSV),
    ("SELECT ?x WHERE { ?x a kg:Event MINUS { ?x a kg:MilitaryOperation } }", CSV),
    ("SELECT ?exact ?start ?end WHERE { ?st rdf:subject kgr:SovietInvasionOfPoland ; "
     "prov:wasDerivedFrom/oa:hasSelector ?sel . ?sel oa:exact ?exact . "
     "?st prov:wasDerivedFrom/oa:hasSelector [ oa:start ?start ; oa:end ?end ] }", JSON),
    ("ASK { kgr:WorldWarII kg:hasPart kgr:SovietInvasionOfPoland }", JSON),
    ("ASK { kgr:WorldWarII kg:partOf ?x }", XML),
    ("CONSTRUCT { ?e a kg:Event ; rdfs:label ?l } WHERE { ?e a kg:Event ; rdfs:label ?l }",
     "text/turtle"),
    ("CONSTRUCT WHERE { ?s kg:partOf ?o }", "application/n-triples"),
    ("CONSTRUCT WHERE { ?s kg:hasPart ?o }", "application/rdf+xml"),
    ("CONSTRUCT WHERE { ?s rdfs:label ?o }", "application/ld+json"),
    ("CONSTRUCT WHERE { ?s kg:startDate ?o }", "application/trig"),
    ("CONSTRUCT WHERE { ?s kg:endDate ?o }", "application/n-quads"),
    ("CONSTRUCT { ?ev oa:hasSelector ?sel . ?sel ?p ?o } WHERE { ?ev a oa:SpecificResource ; "
     "oa:hasSelector ?sel . ?sel ?p ?o }", "text/turtle"),
    ("DESCRIBE kgr:SovietInvasionOfPoland", "text/turtle"),
    ("DESCRIBE ?ev WHERE { ?ev a oa:SpecificResource }", "application/n-triples"),
]


@pytest.fixture(scope="module")
def reference(server, tmp_path_factory):
    """`oxigraph serve-read-only` on an N-Quads dump of the server's store."""
    binary = shutil.which("oxigraph") or str(
        __import__("pathlib").Path(__import__("sys").executable).with_name("oxigraph"))
    workdir = tmp_path_factory.mktemp("reference")
    dump = workdir / "dump.nq"
    dump.write_bytes(LocalStore(Settings.load(store=server.flags["--store"])).dump("nq"))
    subprocess.run([binary, "load", "--location", str(workdir / "db"), "--file", str(dump)],
                   check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(workdir / "db"),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            requests.get(url, params={"query": "ASK {}"}, timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait()


def _term(term) -> str:
    return "_:" if isinstance(term, ox.BlankNode) else str(term)


def _answer(response, ordered: bool):
    assert response.status_code == 200, response.text
    media_type = response.headers["Content-Type"].split(";")[0]
    body = response.content
    if media_type == CSV:
        rows = list(csv.reader(io.StringIO(body.decode())))
        return rows[0], rows[1:] if ordered else collections.Counter(map(tuple, rows[1:]))
    if media_type in (JSON, XML, TSV):
        result = ox.parse_query_results(body, ox.QueryResultsFormat.from_media_type(media_type))
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        variables = [v.value for v in result.variables]
        rows = [tuple(_term(row[v]) if row[v] is not None else None for v in variables)
                for row in result]
        return sorted(variables), rows if ordered else collections.Counter(
            tuple(sorted(zip(variables, row, strict=True))) for row in rows)
    quads = ox.parse(body, ox.RdfFormat.from_media_type(media_type))
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize([q.triple if isinstance(q, ox.Quad) else q for q in quads],
                                  format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


@pytest.mark.parametrize("query,accept", CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
def test_same_answer_as_oxigraph_serve(server, reference, query, accept):
    ours = requests.post(server.url + "/sparql", data={"query": PREFIXES + query},
                         headers={"Accept": accept})
    union = {} if " FROM " in query else {"union-default-graph": ""}
    theirs = requests.post(reference, data={"query": PREFIXES + query, **union},
                           headers={"Accept": accept})
    ordered = "ORDER BY" in query and "LIMIT" not in query
    assert ours.headers["Content-Type"].split(";")[0] == accept
    mine, reference_answer = _answer(ours, ordered), _answer(theirs, ordered)
    if isinstance(mine, rdflib.Graph):
        assert len(mine) > 0 and isomorphic(mine, reference_answer)
    else:
        assert mine == reference_answer


def test_at_least_twenty_queries_cover_every_format():
    assert len(CASES) >= 20
    accepted = {accept for _, accept in CASES}
    from kg import formats

    assert accepted == {f.media_type for f in formats.FORMATS}
