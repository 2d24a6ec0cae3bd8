"""What the ontology entails for the data, computed once at load time with owlrl.

Users query ``?x a kg:Event`` and expect invasions and conferences too, without
writing ``rdfs:subClassOf*``. The OWL 2 RL closure (which includes the RDFS rules for
subclasses, subproperties, domains and ranges, and the inverse and transitive
property rules) is computed by owlrl, and only the new triples that say something
about the data's resources in the project's vocabulary are kept: owlrl also derives
axiomatic noise (``x a rdfs:Resource``, ``owl:sameAs x``, datatype facts) that would
only clutter answers.
"""

from datetime import UTC, datetime
from importlib.metadata import version

import owlrl
import pyoxigraph as ox
import rdflib

from kg.iris import (
    DATA_GRAPH,
    ENTAILED_GRAPH,
    ONTOLOGY,
    ONTOLOGY_GRAPH,
    ONTOLOGY_NS,
    PREFIXES,
    RESOURCE,
    resource,
    term,
)

RDF_TYPE = PREFIXES["rdf"] + "type"
PROV = PREFIXES["prov"]
METHOD = (
    "OWL 2 RL closure (owlrl.OWLRL_Semantics, no axiomatic or datatype triples) of the "
    "ontology graph and the data graph's triples in the kg: vocabulary; kept: new triples "
    "whose subject is a kgr: resource and whose predicate, or class for rdf:type, is a kg: term"
)


def _reasoner_input(store: ox.Store) -> bytes:
    """The ontology and the data triples that can take part in kg: entailments, as N-Triples.

    Provenance triples (statement nodes, web-annotation evidence) are left out: the
    ontology says nothing about their vocabulary, and owlrl is pure Python, so they
    would only make the closure slower.
    """
    ontology = (
        q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))
    )
    data = (
        q.triple
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(DATA_GRAPH))
        if q.predicate.value.startswith(ONTOLOGY_NS)
        or (q.predicate.value == RDF_TYPE and q.object.value.startswith(ONTOLOGY_NS))
    )
    return ox.serialize([*ontology, *data], format=ox.RdfFormat.N_TRIPLES)


def _is_kept(triple) -> bool:
    subject, predicate, obj = triple
    if not isinstance(subject, rdflib.URIRef) or not subject.startswith(RESOURCE):
        return False
    if str(predicate) == RDF_TYPE:
        return isinstance(obj, rdflib.URIRef) and obj.startswith(ONTOLOGY_NS)
    return predicate.startswith(ONTOLOGY_NS)


def entailed_quads(store: ox.Store, sources_hash: str) -> list[ox.Quad]:
    """The entailed triples in ENTAILED_GRAPH, and the prov:Activity that made them."""
    started = datetime.now(UTC)
    graph = rdflib.Graph()
    graph.parse(data=_reasoner_input(store), format="nt")
    asserted = set(graph)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(graph)
    new = rdflib.Graph()
    for triple in graph:
        if triple not in asserted and _is_kept(triple):
            new.add(triple)
    target = ox.NamedNode(ENTAILED_GRAPH)
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, target)
        for t in ox.parse(new.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    ]
    activity = ox.NamedNode(resource(f"entailment-{sources_hash[:12]}"))

    def add(subject, predicate, obj):
        quads.append(ox.Quad(subject, ox.NamedNode(predicate), obj, target))

    xsd_datetime = ox.NamedNode(PREFIXES["xsd"] + "dateTime")
    add(activity, RDF_TYPE, ox.NamedNode(PROV + "Activity"))
    add(activity, PREFIXES["rdfs"] + "label", ox.Literal("Entailment of the data by the ontology"))
    add(activity, term("method"), ox.Literal(METHOD))
    add(activity, PROV + "used", ox.NamedNode(ONTOLOGY))
    add(activity, PROV + "used", ox.NamedNode(DATA_GRAPH))
    add(activity, PROV + "wasAssociatedWith",
        ox.NamedNode(f"https://pypi.org/project/owlrl/{version('owlrl')}/"))
    add(activity, PROV + "startedAtTime", ox.Literal(started.isoformat(), datatype=xsd_datetime))
    add(activity, PROV + "endedAtTime",
        ox.Literal(datetime.now(UTC).isoformat(), datatype=xsd_datetime))
    add(target, PROV + "wasGeneratedBy", activity)
    return quads
