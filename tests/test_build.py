"""The build's pieces refuse what a reviewer would get wrong, and write stable Turtle."""

import datetime

import pyoxigraph as ox
import pytest

from kg import iris
from kg.build import terms
from kg.build.graph import BuildError, build_triples
from kg.build.quotes import find_quote, reference_names
from kg.build.turtle import serialize
from kg.curate import CurationError, load_records, parse_record
from kg.source import article_text


def test_reference_markers_name_references_and_pages_stay_in_the_citation():
    assert reference_names("[1][Note 1]") == ["ref-1", "note-1"]
    assert reference_names("[5]:85") == ["ref-5"]
    with pytest.raises(ValueError, match="not a sequence of reference markers"):
        reference_names("see [1]")


def test_figures_are_never_strings_with_commas():
    assert terms.number(4736) == ox.Literal("4736", datatype=ox.NamedNode(terms.XSD + "integer"))
    assert terms.number("13.5").datatype.value == terms.XSD + "decimal"
    with pytest.raises(ValueError):
        terms.typed("integer", "4,736")


def test_yaml_dates_keep_their_precision():
    fact = terms.object_term(terms.predicate("startDate"), {"date": datetime.date(1939, 9, 17)})
    assert fact == ox.Literal("1939-09-17", datatype=ox.NamedNode(terms.XSD + "date"))
    month = terms.object_term(terms.predicate("pointInTime"), {"gYearMonth": "1939-11"})
    assert month.datatype.value == terms.XSD + "gYearMonth"
    with pytest.raises(terms.TermError, match="unknown literal type"):
        terms.object_term(terms.predicate("pointInTime"), {"season": "summer"})


def test_a_record_with_a_typo_is_refused():
    with pytest.raises(CurationError, match="unknown keys"):
        parse_record("x.yaml#1", {"quote": "4,736 tanks", "section": "Infobox", "fact": []})
    with pytest.raises(CurationError, match="section must be one of"):
        parse_record("x.yaml#1", {"quote": "4,736 tanks", "section": "Box",
                                  "facts": [["a", "b", "c"]]})
    with pytest.raises(CurationError, match="need a 'reason'"):
        parse_record("x.yaml#1", {"activity": "curation", "facts": [["a", "b", "c"]]})


def test_a_resource_used_but_never_described_is_refused():
    record = parse_record("x.yaml#1", {
        "quote": "4,736 tanks", "section": "Infobox",
        "facts": [["SovietInvasionOfPoland", "participant", "TankCorps"]],
    })
    with pytest.raises(BuildError, match="TankCorps: no rdf:type"):
        build_triples(article_text(), [record])


def test_statement_and_evidence_iris_depend_only_on_content():
    s, p = ox.NamedNode(iris.resource("A")), ox.NamedNode(iris.term("b"))
    one = terms.statement_iri(s, p, ox.Literal("1"))
    assert one == terms.statement_iri(s, p, ox.Literal("1"))
    assert one != terms.statement_iri(s, p, ox.Literal("2"))
    assert terms.evidence_iri(3, 5).value.startswith(iris.RESOURCE + "ev-")


def test_turtle_is_sorted_with_prefixed_names_and_reads_back():
    a, b = ox.NamedNode(iris.resource("B")), ox.NamedNode(iris.resource("A"))
    label = ox.NamedNode(iris.PREFIXES["rdfs"] + "label")
    triples = [
        ox.Triple(a, label, ox.Literal('say "x"\nthen y', language="en")),
        ox.Triple(b, terms.RDF_TYPE, ox.NamedNode(iris.term("City"))),
        ox.Triple(b, ox.NamedNode(iris.term("minimum")), terms.number(3)),
    ]
    text = serialize(triples)
    assert text == serialize(reversed(triples))
    assert text.index("kgr:A\n    a kg:City ;") < text.index("kgr:B\n")
    store = ox.Store()
    store.load(text.encode(), format=ox.RdfFormat.TURTLE)
    assert {q.triple for q in store} == set(triples)


def test_every_quote_of_the_curated_source_pins_one_span():
    text = article_text()
    for record in load_records():
        if record.quote is not None:
            span = find_quote(text, record.quote, where=record.where,
                              occurrence=record.occurrence, prefix=record.prefix)
            assert text[span.start : span.end] == record.quote
