"""The SPARQL 1.1 Service Description answered on GET /sparql without a query.

Built as RDF terms and serialised by pyoxigraph in any graph format of the formats
table; the result formats it lists are that table's. The dataset's VoID description
(statistics, dumps, links) is linked from the default dataset with ``rdfs:seeAlso``:
the SD recommendation leaves dataset statistics to VoID and names no property of its own.
``/sparql`` answers queries only, so SPARQL Update is described as a service of its own,
at ``/update`` over the same dataset, and only when a token enables it.
"""

import pyoxigraph as ox

from kg import formats
from kg.iris import ENTAILED_GRAPH, PREFIXES

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"


def describe(endpoint: str, graphs: list[str], *, update_endpoint: str | None, federated: bool,
             void: str | None = None) -> list:
    service = ox.BlankNode("service")
    update_service = ox.BlankNode("updateService")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples = []

    def add(subject, predicate, obj):
        triples.append(ox.Triple(subject, ox.NamedNode(predicate), obj))

    def sd(name):
        return ox.NamedNode(SD + name)

    add(service, PREFIXES["rdf"] + "type", sd("Service"))
    add(service, SD + "endpoint", ox.NamedNode(endpoint))
    add(service, SD + "supportedLanguage", sd("SPARQL11Query"))
    if update_endpoint:
        add(update_service, PREFIXES["rdf"] + "type", sd("Service"))
        add(update_service, SD + "endpoint", ox.NamedNode(update_endpoint))
        add(update_service, SD + "supportedLanguage", sd("SPARQL11Update"))
        add(update_service, SD + "defaultDataset", dataset)
    for feature in ["UnionDefaultGraph", "BasicFederatedQuery"] if federated else [
        "UnionDefaultGraph"
    ]:
        add(service, SD + "feature", sd(feature))
    for fmt in formats.FORMATS:
        add(service, SD + "resultFormat", ox.NamedNode(fmt.iri))
    add(service, SD + "defaultDataset", dataset)
    add(dataset, PREFIXES["rdf"] + "type", sd("Dataset"))
    if void:
        add(dataset, PREFIXES["rdfs"] + "seeAlso", ox.NamedNode(void))
    add(dataset, SD + "defaultGraph", default_graph)
    add(default_graph, PREFIXES["rdf"] + "type", sd("Graph"))
    add(default_graph, PREFIXES["rdfs"] + "comment",
        ox.Literal("The union of all named graphs; name one (e.g. FROM <.../graph/data>) "
                   "for asserted triples only."))
    for index, name in enumerate(graphs):
        named = ox.BlankNode(f"namedGraph{index}")
        add(dataset, SD + "namedGraph", named)
        add(named, PREFIXES["rdf"] + "type", sd("NamedGraph"))
        add(named, SD + "name", ox.NamedNode(name))
        if name == ENTAILED_GRAPH:
            add(named, SD + "entailmentRegime",
                ox.NamedNode("http://www.w3.org/ns/entailment/OWL-RL"))
    return triples


def serialize(triples: list[ox.Triple], target: formats.Format) -> bytes:
    items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples] \
        if target.supports_datasets else triples
    return ox.serialize(items, format=target.oxigraph,
                        prefixes={"sd": SD, "rdf": PREFIXES["rdf"], "rdfs": PREFIXES["rdfs"]})
