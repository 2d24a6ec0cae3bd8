"""``/.well-known/void``: the dataset described in VoID, with counts asked of the store.

The described dataset is the graph as asserted (ontology and data), the one the
``all`` dumps hold; the ontology and the data are its subsets, the links to Wikidata
its linksets, and the edition with the entailed triples a dataset that contains it.
Every count is a SPARQL query over the named graphs of the edition it describes, so
the description always matches the store being served. Built as RDF terms and
serialised by pyoxigraph in the negotiated format (Turtle by default).
"""

import json

import pyoxigraph as ox
from flask import Blueprint, Response, request, url_for

from kg import dump as dumps_module
from kg import formats
from kg.iris import PREFIXES, RESOURCE, VOID_ROUTE, WIKIDATA_ENTITY
from kg.source import ARTICLE_TITLE, ARTICLE_URL, LICENSE_URL, RETRIEVED
from kg.store import NotAcceptable, QueryRequest
from kg.web import dumps, store

blueprint = Blueprint("void", __name__)

VOID = "http://rdfs.org/ns/void#"
DCTERMS = PREFIXES["dcterms"]
SKOS = PREFIXES["skos"]
TITLE = "Kresy 1939: the Soviet invasion of Poland as a knowledge graph"
#: Wikidata as a linkset target: where its entity IRIs live and where it answers SPARQL.
WIKIDATA_HOME = "https://www.wikidata.org/"
WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"
#: The predicates that link a resource to a Wikidata item (DESIGN.md: never owl:sameAs).
LINK_PREDICATES = ("exactMatch", "closeMatch")

TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
#: Entities: resources with an IRI that the dataset says something about. Written as "not a
#: blank node" (a subject is one or the other): Virtuoso answers isIRI true for blank nodes.
ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(!isBlank(?s)) }"
CLASSES = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"
PROPERTIES = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"
CLASS_PARTITIONS = """SELECT ?key (SUM(IF(isBlank(?s), 0, 1)) AS ?n)
WHERE { SELECT DISTINCT ?key ?s WHERE { ?s a ?key } } GROUP BY ?key"""
PROPERTY_PARTITIONS = """SELECT ?key (COUNT(*) AS ?n)
WHERE { SELECT DISTINCT ?s ?key ?o WHERE { ?s ?key ?o } } GROUP BY ?key"""
TERMS = "SELECT DISTINCT ?key WHERE { { ?s ?key ?o } UNION { ?s a ?key } }"
LINKS = """SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{
  ?s <{predicate}> ?o FILTER(STRSTARTS(STR(?o), "{target}")) }} }}"""


def _select(query: str, graphs: tuple[str, ...]) -> list[dict]:
    answer = store().query(QueryRequest(query=query, results_format="json", graph_format=None,
                                        default_graphs=graphs, max_rows=1_000_000))
    return [{k: v["value"] for k, v in row.items()}
            for row in json.loads(answer.body)["results"]["bindings"]]


def _count(query: str, graphs: tuple[str, ...]) -> int:
    return int(_select(query, graphs)[0]["n"])


def _namespace(iri: str) -> str:
    """The vocabulary an IRI belongs to: everything up to its last '#' or '/'."""
    return iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]


def describe(void_url: str, endpoint: str, dump_url, index: dict) -> list[ox.Triple]:
    """The VoID triples; ``dump_url(name)`` is the URL of a dump file."""
    triples = []

    def add(subject, predicate: str, obj):
        if isinstance(obj, int):
            obj = ox.Literal(str(obj), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
        elif isinstance(obj, str):
            obj = ox.Literal(obj, language="en")
        triples.append(ox.Triple(subject, ox.NamedNode(predicate), obj))

    def node(fragment: str) -> ox.NamedNode:
        return ox.NamedNode(f"{void_url}#{fragment}")

    def typed(subject, cls: str) -> None:
        add(subject, PREFIXES["rdf"] + "type", ox.NamedNode(VOID + cls))

    def add_dumps(subject, edition: str) -> None:
        for entry in index["files"]:
            if entry["edition"] == edition:
                add(subject, VOID + "dataDump", ox.NamedNode(dump_url(entry["name"])))

    editions = dumps_module.EDITION_BY_NAME
    asserted = editions["all"].graphs
    dataset = node("kresy1939")
    typed(dataset, "Dataset")
    add(dataset, DCTERMS + "title", TITLE)
    add(dataset, DCTERMS + "description",
        f"The Wikipedia article “{ARTICLE_TITLE}” (retrieved {RETRIEVED}) as linked data: "
        "every fact with the words of the article it comes from, figures as ranges and "
        "claims, links to Wikidata.")
    add(dataset, DCTERMS + "license", ox.NamedNode(LICENSE_URL))
    add(dataset, DCTERMS + "source", ox.NamedNode(ARTICLE_URL))
    add(dataset, PREFIXES["owl"] + "versionInfo", ox.Literal(index["version"]))
    add(dataset, VOID + "sparqlEndpoint", ox.NamedNode(endpoint))
    add(dataset, VOID + "uriSpace", ox.Literal(RESOURCE))
    for fmt in formats.of_kind(formats.GRAPH):
        add(dataset, VOID + "feature", ox.NamedNode(fmt.iri))
    add(dataset, VOID + "triples", _count(TRIPLES, asserted))
    add(dataset, VOID + "entities", _count(ENTITIES, asserted))
    add(dataset, VOID + "classes", _count(CLASSES, asserted))
    add(dataset, VOID + "properties", _count(PROPERTIES, asserted))
    terms = _select(TERMS, asserted)
    for vocabulary in sorted({_namespace(row["key"]) for row in terms}):
        add(dataset, VOID + "vocabulary", ox.NamedNode(vocabulary))
    for kind, key_property, count_property, query in (
        ("class", "class", "entities", CLASS_PARTITIONS),
        ("property", "property", "triples", PROPERTY_PARTITIONS),
    ):
        for row in sorted(_select(query, asserted), key=lambda r: r["key"]):
            partition = ox.BlankNode()
            add(dataset, VOID + kind + "Partition", partition)
            add(partition, VOID + key_property, ox.NamedNode(row["key"]))
            add(partition, VOID + count_property, int(row["n"]))
    add_dumps(dataset, "all")

    for name in ("ontology", "data"):
        subset = node(name)
        typed(subset, "Dataset")
        add(dataset, VOID + "subset", subset)
        add(subset, DCTERMS + "title", editions[name].description)
        add(subset, VOID + "triples", _count(TRIPLES, editions[name].graphs))
        add_dumps(subset, name)

    entailed = node("entailed")
    typed(entailed, "Dataset")
    add(entailed, DCTERMS + "title", editions["entailed"].description)
    add(entailed, VOID + "subset", dataset)
    add(entailed, VOID + "triples", _count(TRIPLES, editions["entailed"].graphs))
    add_dumps(entailed, "entailed")

    wikidata = node("wikidata")
    typed(wikidata, "Dataset")
    add(wikidata, DCTERMS + "title", "Wikidata")
    add(wikidata, PREFIXES["schema"] + "url", ox.NamedNode(WIKIDATA_HOME))
    add(wikidata, VOID + "uriSpace", ox.Literal(WIKIDATA_ENTITY))
    add(wikidata, VOID + "sparqlEndpoint", ox.NamedNode(WIKIDATA_ENDPOINT))
    for name in LINK_PREDICATES:
        predicate = SKOS + name
        linkset = node(f"links-{name}")
        typed(linkset, "Linkset")
        add(dataset, VOID + "subset", linkset)
        add(linkset, VOID + "target", dataset)
        add(linkset, VOID + "target", wikidata)
        add(linkset, VOID + "subjectsTarget", dataset)
        add(linkset, VOID + "objectsTarget", wikidata)
        add(linkset, VOID + "linkPredicate", ox.NamedNode(predicate))
        add(linkset, VOID + "triples",
            _count(LINKS.format(predicate=predicate, target=WIKIDATA_ENTITY), asserted))
    # Each subject's triples together (stable: in the order added), so Turtle groups them.
    first_seen = {}
    for index_, triple in enumerate(triples):
        first_seen.setdefault(triple.subject, index_)
    return sorted(triples, key=lambda t: first_seen[t.subject])


@blueprint.get(VOID_ROUTE)
def void():
    fmt = formats.negotiate(request.headers.get("Accept"), formats.of_kind(formats.GRAPH))
    if fmt is None:
        raise NotAcceptable("the VoID description is RDF; accept one of "
                            + ", ".join(f.media_type for f in formats.of_kind(formats.GRAPH)))
    index, _ = dumps.current_index()
    void_url = request.host_url.rstrip("/") + VOID_ROUTE
    triples = describe(void_url, url_for("sparql.sparql", _external=True),
                       lambda name: url_for("dumps.file", name=name, _external=True), index)
    items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples] \
        if fmt.supports_datasets else triples
    body = ox.serialize(items, format=fmt.oxigraph,
                        prefixes={"void": VOID, **PREFIXES, "": void_url + "#"})
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response
