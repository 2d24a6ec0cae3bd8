"""Common SPARQL clients work against the endpoint: SPARQLWrapper and rdflib's SPARQLStore."""

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import GET, JSON, POST, TURTLE, XML, SPARQLWrapper

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
