"""The in-store entailment rules give exactly what owlrl's OWL 2 RL closure gives.

owlrl (pure Python, a test dependency only) is the reference: its closure of the ontology
and the data's kg: triples, filtered to new triples about kgr: resources in the kg:
vocabulary, is what ``kg load`` wrote before the rules replaced it.
"""

import owlrl
import pyoxigraph as ox
import pytest
import rdflib

from kg.iris import DATA_GRAPH, ENTAILED_GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_NS, RESOURCE
from kg.settings import Settings
from kg.store.load import source_files
from kg.store.rules import UnsupportedAxiom, entail

RDF_TYPE = str(rdflib.RDF.type)


def loaded(files) -> ox.Store:
    store = ox.Store()
    for graph, path in files:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    return store


def owlrl_entailments(store: ox.Store) -> set[ox.Triple]:
    """owlrl's closure of the ontology and the data's kg: triples, kept as the load keeps."""

    def in_vocabulary(q):
        if q.predicate.value == RDF_TYPE:
            return q.object.value.startswith(ONTOLOGY_NS)
        return q.predicate.value.startswith(ONTOLOGY_NS)

    triples = [q.triple for q in store.quads_for_pattern(None, None, None,
                                                         ox.NamedNode(ONTOLOGY_GRAPH))]
    triples += [q.triple for q in store.quads_for_pattern(None, None, None,
                                                          ox.NamedNode(DATA_GRAPH))
                if in_vocabulary(q)]
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(graph)
    kept = rdflib.Graph()
    for s, p, o in set(graph) - asserted:
        if not isinstance(s, rdflib.URIRef) or not s.startswith(RESOURCE):
            continue
        if (str(p) == RDF_TYPE and isinstance(o, rdflib.URIRef) and o.startswith(ONTOLOGY_NS)) \
                or (str(p) != RDF_TYPE and p.startswith(ONTOLOGY_NS)):
            kept.add((s, p, o))
    return {q.triple for q in ox.parse(kept.serialize(format="nt", encoding="utf-8"),
                                       ox.RdfFormat.N_TRIPLES)}


def rule_entailments(store: ox.Store) -> set[ox.Triple]:
    """What ``kg.store.rules.entail`` writes, without its prov:Activity."""
    entail(store, "0" * 64)
    graph = ox.NamedNode(ENTAILED_GRAPH)
    activities = {q.subject for q in store.quads_for_pattern(
        None, ox.NamedNode(RDF_TYPE), ox.NamedNode("http://www.w3.org/ns/prov#Activity"), graph)}
    return {q.triple for q in store.quads_for_pattern(None, None, None, graph)
            if q.subject not in activities and q.subject != graph}


def test_rules_give_exactly_owlrls_entailments_on_the_shipped_data():
    expected = owlrl_entailments(loaded(source_files(Settings.load())))
    got = rule_entailments(loaded(source_files(Settings.load())))
    assert len(expected) > 100  # subclass, subproperty, inverse and transitive ones at least
    assert got == expected, (sorted(map(str, got - expected)), sorted(map(str, expected - got)))


def test_rules_follow_a_transitive_property_through_its_inverse(tmp_path):
    ontology = tmp_path / "o.ttl"
    ontology.write_text(f"""@prefix kg: <{ONTOLOGY_NS}> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        kg:partOf a owl:TransitiveProperty ; owl:inverseOf kg:hasPart ; rdfs:range kg:Place .
        kg:inside rdfs:subPropertyOf kg:partOf .
        kg:Place rdfs:subClassOf kg:Thing .""")
    data = tmp_path / "d.ttl"
    data.write_text(f"""@prefix kg: <{ONTOLOGY_NS}> . @prefix kgr: <{RESOURCE}> .
        kgr:a kg:inside kgr:b . kgr:c kg:hasPart kgr:b . kgr:d kg:hasPart kgr:c .""")
    files = [(ONTOLOGY_GRAPH, ontology), (DATA_GRAPH, data)]
    got = rule_entailments(loaded(files))
    assert got == owlrl_entailments(loaded(files))
    kg, kgr = (lambda n: ox.NamedNode(ONTOLOGY_NS + n)), (lambda n: ox.NamedNode(RESOURCE + n))
    assert ox.Triple(kgr("a"), kg("partOf"), kgr("d")) in got
    assert ox.Triple(kgr("d"), ox.NamedNode(RDF_TYPE), kg("Thing")) in got


def test_an_axiom_the_rules_do_not_implement_stops_the_load(tmp_path):
    ontology = tmp_path / "o.ttl"
    ontology.write_text(f"""@prefix kg: <{ONTOLOGY_NS}> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        kg:Victim owl:equivalentClass [ owl:onProperty kg:killedBy ;
                                        owl:someValuesFrom kg:Actor ] .""")
    with pytest.raises(UnsupportedAxiom, match="someValuesFrom"):
        entail(loaded([(ONTOLOGY_GRAPH, ontology)]), "0" * 64)


def test_an_existential_superclass_entails_what_owlrl_keeps(tmp_path):
    """'A claim has some kind' (the shipped ontology's restrictions) types nothing new."""
    ontology = tmp_path / "o.ttl"
    ontology.write_text(f"""@prefix kg: <{ONTOLOGY_NS}> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        kg:QuantityKind a owl:Class .
        kg:QuantityClaim rdfs:subClassOf kg:Claim ,
            [ a owl:Restriction ; owl:onProperty kg:quantityKind ;
              owl:someValuesFrom kg:QuantityKind ] .""")
    data = tmp_path / "d.ttl"
    data.write_text(f"""@prefix kg: <{ONTOLOGY_NS}> . @prefix kgr: <{RESOURCE}> .
        kgr:c a kg:QuantityClaim ; kg:quantityKind kgr:k . kgr:k a kg:QuantityKind .""")
    files = [(ONTOLOGY_GRAPH, ontology), (DATA_GRAPH, data)]
    got = rule_entailments(loaded(files))
    assert got == owlrl_entailments(loaded(files))
    kg, kgr = (lambda n: ox.NamedNode(ONTOLOGY_NS + n)), (lambda n: ox.NamedNode(RESOURCE + n))
    assert got == {ox.Triple(kgr("c"), ox.NamedNode(RDF_TYPE), kg("Claim"))}


def test_two_values_of_a_functional_property_stop_the_load(tmp_path):
    ontology = tmp_path / "o.ttl"
    ontology.write_text(f"""@prefix kg: <{ONTOLOGY_NS}> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        kg:quantityKind a owl:ObjectProperty , owl:FunctionalProperty .""")
    data = tmp_path / "d.ttl"
    one = f"""@prefix kg: <{ONTOLOGY_NS}> . @prefix kgr: <{RESOURCE}> .
        kgr:c kg:quantityKind kgr:k ."""
    data.write_text(one)
    entail(loaded([(ONTOLOGY_GRAPH, ontology), (DATA_GRAPH, data)]), "0" * 64)
    data.write_text(one + " kgr:c kg:quantityKind kgr:j .")
    with pytest.raises(UnsupportedAxiom, match="two values of the functional property"):
        entail(loaded([(ONTOLOGY_GRAPH, ontology), (DATA_GRAPH, data)]), "0" * 64)
