"""The ontology: loads everywhere, stays OWL Lite, documents itself, matches the contract."""

import re
from collections import Counter

import pyoxigraph
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import cli, ontology_docs
from kg.iris import ONTOLOGY, ONTOLOGY_DIR, ONTOLOGY_NS, WIKIDATA_ENTITY
from kg.validate import ONTOLOGY_FILES, SHAPES_FILE

ALL_FILES = (*ONTOLOGY_FILES, SHAPES_FILE)
KG = rdflib.Namespace(ONTOLOGY_NS)
WDT = "http://www.wikidata.org/prop/direct/"

#: Every owl: term OWL Lite (OWL 1, https://www.w3.org/TR/owl-ref/#OWLLite) allows,
#: plus owl:versionIRI, the OWL 2 header term the project requires; it is an
#: ontology annotation and changes no semantics. Anything else (unionOf, oneOf,
#: disjointWith, hasValue, complementOf, ...) would take the ontology out of OWL Lite.
OWL_LITE = {
    OWL[name] for name in (
        "Ontology imports versionInfo priorVersion backwardCompatibleWith incompatibleWith"
        " AnnotationProperty OntologyProperty DeprecatedClass DeprecatedProperty"
        " Class Thing Nothing Restriction onProperty allValuesFrom someValuesFrom"
        " minCardinality maxCardinality cardinality intersectionOf"
        " equivalentClass equivalentProperty sameAs differentFrom AllDifferent distinctMembers"
        " ObjectProperty DatatypeProperty inverseOf TransitiveProperty SymmetricProperty"
        " FunctionalProperty InverseFunctionalProperty"
        " versionIRI"
    ).split()
}

#: The vocabulary the data relies on (CONTRACT.md, plus the terms the curated data needed).
CONTRACT_CLASSES = set(
    "Event War Campaign MilitaryOperation Invasion Negotiation Conference Signing Election"
    " Deportation Annexation Occupation Evacuation Withdrawal Parade Order MassRepression Capture"
    " Actor State Government ArmedForce MilitaryUnit Agency Person PopulationGroup"
    " Place Country Region City River BorderLine Territory"
    " Agreement Treaty SecretProtocol BorderAgreement"
    " Claim QuantityClaim PropositionClaim Reference QuantityKind".split()
)
CONTRACT_PROPERTIES = set(
    "startDate endDate pointInTime timeQualifier durationDays undatedBecause"
    " location target direction destination"
    " participant belligerent commander organiser victim signatory party issuedBy approvedBy"
    " partOf hasPart follows precedes causedBy causes inAccordanceWith resultedIn"
    " annexedBy cededTo returnedTo incorporatedInto territory occupiedBy"
    " about quantityKind side minimum maximum approximate unit"
    " claimant accordingTo proposition qualifier section citation unqualifiedBecause method"
    " page pageOf words"
    " result victor agreement belongsTo".split()
)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return ontology_docs.load_ontology()


@pytest.fixture(scope="module")
def core() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_DIR / "kg.ttl")


def kg_terms(graph, rdf_type):
    return {s for s in graph.subjects(RDF.type, rdf_type) if str(s).startswith(ONTOLOGY_NS)}


def local_names(terms):
    return {str(t)[len(ONTOLOGY_NS):] for t in terms}


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_ontology_files_parse_in_rdflib_and_pyoxigraph_alike(path):
    graph = rdflib.Graph().parse(path, format="turtle")
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(graph) > 0
    assert len(store) == len(graph)


def test_ontology_header_has_version_licence_title_and_date(core):
    ontology = rdflib.URIRef(ONTOLOGY)
    assert (ontology, RDF.type, OWL.Ontology) in core
    assert core.value(ontology, OWL.versionIRI) == rdflib.URIRef(ONTOLOGY + "/0.1.0")
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    assert core.value(ontology, dcterms.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by-sa/4.0/")
    assert core.value(ontology, dcterms.title)
    assert core.value(ontology, dcterms.created).datatype == rdflib.XSD.date
    assert core.value(ontology, RDFS.comment)


@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=lambda p: p.name)
def test_ontology_stays_within_owl_lite(path):
    graph = rdflib.Graph().parse(path, format="turtle")
    used = {term for triple in graph for term in triple
            if isinstance(term, rdflib.URIRef) and str(term).startswith(str(OWL))}
    assert used - OWL_LITE == set(), f"not OWL Lite: {sorted(used - OWL_LITE)}"
    # OWL Lite allows cardinalities of 0 and 1 only.
    for predicate in (OWL.cardinality, OWL.minCardinality, OWL.maxCardinality):
        for value in graph.objects(None, predicate):
            assert value.toPython() in (0, 1), f"{predicate} {value}"


def test_ontology_declares_exactly_the_contract_vocabulary(core):
    assert local_names(kg_terms(core, OWL.Class)) == CONTRACT_CLASSES
    properties = kg_terms(core, OWL.ObjectProperty) | kg_terms(core, OWL.DatatypeProperty)
    assert local_names(properties) == CONTRACT_PROPERTIES


def test_every_class_and_property_has_an_english_label_and_comment(core):
    terms = set()
    for rdf_type in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        terms |= kg_terms(core, rdf_type)
    for term in sorted(terms):
        for predicate in (RDFS.label, RDFS.comment):
            english = [v for v in core.objects(term, predicate) if v.language == "en"]
            assert len(english) == 1, f"{term} needs one English {predicate}"


def test_no_term_is_both_an_object_and_a_datatype_property(core):
    assert not kg_terms(core, OWL.ObjectProperty) & kg_terms(core, OWL.DatatypeProperty)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_kg_term_the_ontology_files_mention_is_declared(core, path):
    declared = {s for s in core.subjects(RDF.type, None) if str(s).startswith(ONTOLOGY_NS)}
    graph = rdflib.Graph().parse(path, format="turtle")
    mentioned = {t for triple in graph for t in triple
                 if isinstance(t, rdflib.URIRef) and str(t).startswith(ONTOLOGY_NS)}
    assert mentioned - declared == set()


def test_every_class_but_the_top_ones_has_a_kg_superclass(core):
    tops = {KG[name] for name in "Event Actor Place Agreement Claim Reference QuantityKind".split()}
    for cls in kg_terms(core, OWL.Class) - tops:
        assert any(str(p).startswith(ONTOLOGY_NS) for p in core.objects(cls, RDFS.subClassOf)), cls


def test_time_and_figure_properties_are_functional(core):
    for name in "startDate endDate pointInTime minimum maximum".split():
        assert (KG[name], RDF.type, OWL.FunctionalProperty) in core, name


def test_inverse_pairs_are_declared_both_ways(core):
    for a, b in (("partOf", "hasPart"), ("follows", "precedes"), ("causedBy", "causes")):
        assert (KG[a], OWL.inverseOf, KG[b]) in core
        assert (KG[b], OWL.inverseOf, KG[a]) in core


def test_part_of_and_has_part_are_transitive(core):
    for name in ("partOf", "hasPart"):
        assert (KG[name], RDF.type, OWL.TransitiveProperty) in core


def test_roles_are_participants_but_signatory_is_not(core):
    for role in "belligerent commander organiser victim".split():
        assert (KG[role], RDFS.subPropertyOf, KG.participant) in core
    assert (KG.signatory, RDFS.subPropertyOf, KG.participant) not in core


def test_properties_without_a_single_domain_say_which_classes_they_are_for(core):
    includes = rdflib.URIRef("http://schema.org/domainIncludes")
    properties = kg_terms(core, OWL.ObjectProperty) | kg_terms(core, OWL.DatatypeProperty)
    for prop in properties:
        assert (prop, RDFS.domain, None) in core or (prop, includes, None) in core, prop


def test_wikidata_mappings_are_entity_iris_for_classes_and_direct_properties_for_properties(
        ontology):
    mapped = Counter()
    for predicate in (SKOS.exactMatch, SKOS.closeMatch, SKOS.narrowMatch, SKOS.broadMatch):
        for term, target in ontology.subject_objects(predicate):
            is_class = (term, RDF.type, OWL.Class) in ontology
            prefix = WIKIDATA_ENTITY + "Q" if is_class else WDT + "P"
            assert str(target).startswith(prefix), (term, target)
            mapped[is_class] += 1
    assert mapped[True] > 0 and mapped[False] > 0
    assert not list(ontology.triples((None, OWL.sameAs, None)))


def test_alignment_uses_subclass_and_subproperty_of_external_vocabularies(ontology):
    assert (KG.Event, RDFS.subClassOf, rdflib.URIRef("http://schema.org/Event")) in ontology
    prov_entity = rdflib.URIRef("http://www.w3.org/ns/prov#Entity")
    assert (KG.Claim, RDFS.subClassOf, prov_entity) in ontology
    assert (KG.startDate, RDFS.subPropertyOf,
            rdflib.URIRef("http://schema.org/startDate")) in ontology


def test_docs_page_is_current():
    assert ontology_docs.DOCS_FILE.read_text(encoding="utf-8") == ontology_docs.render(), (
        "docs/ontology.md is stale: run `kg docs`")


def test_docs_command_writes_every_term_with_its_alignments(tmp_path, core):
    page = tmp_path / "ontology.md"
    assert cli.main(["docs", "--output", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    properties = kg_terms(core, OWL.ObjectProperty) | kg_terms(core, OWL.DatatypeProperty)
    for name in sorted(local_names(kg_terms(core, OWL.Class) | properties)):
        assert f"### kg:{name}\n" in text
    assert "[wd:Q198](http://www.wikidata.org/entity/Q198)" in text
    assert "[wdt:P580](http://www.wikidata.org/prop/direct/P580)" in text
    assert "Characteristics: functional" in text


def test_docs_links_to_terms_all_resolve_to_a_section():
    text = ontology_docs.render()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets and targets <= anchors
