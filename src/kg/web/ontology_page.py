"""The ontology page (``ontology.html``): each ``kg:`` term with its label, comment, domain,
range and alignment, read from the ontology graph as loaded."""

from dataclasses import dataclass

import pyoxigraph as ox

from kg import formats, iris
from kg.web.page_sparql import Graph, construct, labels, query_link
from kg.web.terms import RDF, RDFS, Shown, local_name, shown

ONTOLOGY_QUERY = "CONSTRUCT WHERE { ?s ?p ?o }"
#: What an ontology term's section shows first; any other property follows, by label.
TERM_ORDER = (RDF + "type", RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain",
              RDFS + "range", iris.PREFIXES["schema"] + "domainIncludes",
              iris.PREFIXES["schema"] + "rangeIncludes")
CLASS_TYPES = {iris.PREFIXES["owl"] + "Class", RDFS + "Class"}


def ontology() -> tuple[list[ox.Triple], bool]:
    """The ontology graph as loaded (``ontology/*.ttl``)."""
    return construct(ONTOLOGY_QUERY, (iris.ONTOLOGY_GRAPH,))


@dataclass
class TermView:
    anchor: str
    iri: str
    label: str
    comments: list[Shown]
    properties: list[tuple[Shown, list[Shown]]]


@dataclass
class OntologyPage:
    iri: str
    header: list[tuple[Shown, list[Shown]]]
    classes: list[TermView]
    properties: list[TermView]
    data_links: list[tuple[formats.Format, str]]
    query_href: str


def ontology_page(triples: list[ox.Triple], rdf_formats) -> OntologyPage:
    """Each ``kg:`` term of the ontology graph, with its label, comment, domain, range and
    alignment (the subclass, subproperty and SKOS links that alignment.ttl adds)."""
    graph = Graph(triples)
    names = labels(graph.iris())

    def properties_of(subject, skip) -> list[tuple[Shown, list[Shown]]]:
        own = graph.index.get(subject, {})
        order = sorted((p for p in own if p not in skip),
                       key=lambda p: (TERM_ORDER.index(p) if p in TERM_ORDER else len(TERM_ORDER),
                                      names.get(p, local_name(p))))
        return [(shown(ox.NamedNode(p), names),
                 [shown(o, names) for o in own[p] if not isinstance(o, ox.BlankNode)])
                for p in order if any(not isinstance(o, ox.BlankNode) for o in own[p])]

    skip = {RDFS + "label", RDFS + "comment"}
    classes, properties = [], []
    for subject in sorted((s for s in graph.index if isinstance(s, ox.NamedNode)
                           and s.value.startswith(iris.ONTOLOGY_NS)), key=lambda s: s.value):
        own = graph.index[subject]
        view = TermView(
            anchor=subject.value[len(iris.ONTOLOGY_NS):], iri=subject.value,
            label=names.get(subject.value, local_name(subject.value)),
            comments=[shown(c, names) for c in own.get(RDFS + "comment", [])],
            properties=properties_of(subject, skip))
        is_class = any(t.value in CLASS_TYPES for t in own.get(RDF + "type", []))
        (classes if is_class else properties).append(view)
    document = ox.NamedNode(iris.ONTOLOGY)
    return OntologyPage(
        iri=iris.ONTOLOGY,
        header=properties_of(document, set()) if document in graph.index else [],
        classes=classes, properties=properties,
        data_links=[(f, iris.data_route(iris.ONTOLOGY, f.suffix)) for f in rdf_formats],
        query_href=query_link("# The ontology graph\nCONSTRUCT WHERE {\n  GRAPH <"
                              + iris.ONTOLOGY_GRAPH + "> { ?s ?p ?o }\n}"),
    )
