"""The VoID description at /.well-known/void: parses, and its counts are the store's."""

from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, VOID

from kg import formats
from kg.iris import DATA_GRAPH, ENTAILED_GRAPH, ONTOLOGY_GRAPH, WIKIDATA_ENTITY
from kg.source import ARTICLE_URL, LICENSE_URL

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.fixture(scope="module")
def void(server) -> tuple[rdflib.Graph, rdflib.URIRef]:
    response = requests.get(server.url + "/.well-known/void", timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")  # the default
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    (dataset,) = graph.subjects(DCTERMS.source, rdflib.URIRef(ARTICLE_URL))
    return graph, dataset


def asserted(server, graphs=(ONTOLOGY_GRAPH, DATA_GRAPH)) -> rdflib.Graph:
    """The store's triples in these graphs, counted below in Python, not by SPARQL."""
    values = " ".join(f"<{g}>" for g in graphs)
    response = server.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} "
                            "GRAPH ?g { ?s ?p ?o } }", accept="application/n-triples")
    return rdflib.Graph().parse(data=response.text, format="nt")


def number(graph: rdflib.Graph, subject, predicate) -> int:
    return int(graph.value(subject, predicate))


@pytest.mark.parametrize("fmt", formats.of_kind(formats.GRAPH), ids=lambda f: f.name)
def test_void_in_every_rdf_format(server, fmt):
    response = requests.get(server.url + "/.well-known/void", headers={"Accept": fmt.media_type})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == fmt.media_type
    assert "Accept" in response.headers["Vary"]
    quads = list(ox.parse(response.content, fmt.oxigraph))
    assert any(q.object == ox.NamedNode(str(VOID.Dataset)) for q in quads)


def test_void_refuses_what_is_not_rdf_with_406(server):
    response = requests.get(server.url + "/.well-known/void",
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 406


def test_void_names_title_licence_source_endpoint_and_uri_space(server, void):
    graph, dataset = void
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert graph.value(dataset, DCTERMS.title) and graph.value(dataset, DCTERMS.description)
    assert graph.value(dataset, DCTERMS.license) == rdflib.URIRef(LICENSE_URL)
    assert graph.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef(server.url + "/sparql")
    assert str(graph.value(dataset, VOID.uriSpace)) == "https://w3id.org/kresy1939/resource/"
    vocabularies = {str(v) for v in graph.objects(dataset, VOID.vocabulary)}
    assert {"https://w3id.org/kresy1939/ontology#", str(RDFS), str(SKOS)} <= vocabularies


def test_void_features_are_registered_w3c_format_iris(void):
    graph, dataset = void
    features = {str(f) for f in graph.objects(dataset, VOID.feature)}
    assert features == {"http://www.w3.org/ns/formats/" + name for name in (
        "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads")}


def test_void_counts_are_the_stores(server, void):
    graph, dataset = void
    store = asserted(server)
    assert number(graph, dataset, VOID.triples) == len(store)
    subjects = {s for s in store.subjects() if isinstance(s, rdflib.URIRef)}
    assert number(graph, dataset, VOID.entities) == len(subjects)
    classes = set(store.objects(None, RDF.type))
    assert number(graph, dataset, VOID.classes) == len(classes)
    predicates = Counter(p for _, p, _ in store)
    assert number(graph, dataset, VOID.properties) == len(predicates)

    class_partitions = {graph.value(part, VOID["class"]): number(graph, part, VOID.entities)
                        for part in graph.objects(dataset, VOID.classPartition)}
    assert class_partitions == {
        c: len({s for s in store.subjects(RDF.type, c) if isinstance(s, rdflib.URIRef)})
        for c in classes}
    property_partitions = {graph.value(part, VOID.property): number(graph, part, VOID.triples)
                           for part in graph.objects(dataset, VOID.propertyPartition)}
    assert property_partitions == dict(predicates)


def test_void_subsets_match_the_named_graphs(server, void):
    graph, dataset = void
    subsets = {str(graph.value(s, DCTERMS.title)): s for s in graph.objects(dataset, VOID.subset)
               if (s, RDF.type, VOID.Dataset) in graph}
    assert len(subsets) == 2
    by_triples = sorted(number(graph, s, VOID.triples) for s in subsets.values())
    assert by_triples == sorted([len(asserted(server, [ONTOLOGY_GRAPH])),
                                 len(asserted(server, [DATA_GRAPH]))])
    (entailed,) = graph.subjects(VOID.subset, dataset)
    assert number(graph, entailed, VOID.triples) == len(
        asserted(server, [ONTOLOGY_GRAPH, DATA_GRAPH, ENTAILED_GRAPH]))


def test_void_linksets_to_wikidata_count_the_links(server, void):
    graph, dataset = void
    store = asserted(server)
    linksets = list(graph.subjects(RDF.type, VOID.Linkset))
    predicates = {graph.value(ls, VOID.linkPredicate) for ls in linksets}
    assert predicates == {SKOS.exactMatch, SKOS.closeMatch}
    for linkset in linksets:
        predicate = graph.value(linkset, VOID.linkPredicate)
        links = [o for o in store.objects(None, predicate) if str(o).startswith(WIKIDATA_ENTITY)]
        assert number(graph, linkset, VOID.triples) == len(links)
        assert (dataset, VOID.subset, linkset) in graph
        wikidata = graph.value(linkset, VOID.objectsTarget)
        assert str(graph.value(wikidata, VOID.uriSpace)) == WIKIDATA_ENTITY
        assert {dataset, wikidata} == set(graph.objects(linkset, VOID.target))
    exact = [ls for ls in linksets if graph.value(ls, VOID.linkPredicate) == SKOS.exactMatch]
    assert number(graph, exact[0], VOID.triples) >= 1  # the fixture links the invasion


def test_void_lists_every_dump_of_each_dataset(server, void):
    graph, dataset = void
    files = {f["name"]: f for f in requests.get(server.url + "/dumps/index.json").json()["files"]}
    dumps = [str(d) for d in graph.objects(dataset, VOID.dataDump)]
    assert {d.rsplit("/", 1)[1] for d in dumps} == {
        name for name, f in files.items() if f["edition"] == "all"}
    for url in dumps:
        name = url.rsplit("/", 1)[1]
        if files[name]["format"] == "nt" and not files[name]["gzip"]:
            body = requests.get(url, timeout=60).content
            assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == \
                number(graph, dataset, VOID.triples)


def test_the_service_description_links_the_void(server):
    response = requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"})
    sd = rdflib.Graph().parse(data=response.text, format="turtle")
    service = sd.value(predicate=RDF.type, object=SD.Service)
    dataset = sd.value(service, SD.defaultDataset)
    void_url = sd.value(dataset, RDFS.seeAlso)
    assert void_url == rdflib.URIRef(server.url + "/.well-known/void")
    assert requests.get(str(void_url), timeout=60).status_code == 200
