"""The build's pieces refuse what a reviewer would get wrong, and write stable Turtle."""

import datetime

import pyoxigraph as ox
import pytest

from kg import iris
from kg.build import terms
from kg.build.graph import BuildError, build_triples, collect_facts
from kg.build.quotes import find_quote, reference_names
from kg.build.turtle import serialize
from kg.curate import CurationError, load_records, parse_record
from kg.source import article_text


def test_reference_markers_name_references_and_a_page_is_a_reference_of_its_own():
    assert reference_names("[1][Note 1]") == ["ref-1", "note-1"]
    assert reference_names("[5]:85") == ["ref-5-p85"]
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
        parse_record("x.yaml#1", {"quote": "4,736 tanks", "section": "Infobox",
                                  "inferred": [{"facts": [["a", "b", "c"]]}]})
    with pytest.raises(CurationError, match="needs the 'quote'"):
        parse_record("x.yaml#1", {"section": "Lead", "facts": [["a", "b", "c"]]})


LEAD_ON_ROMANIA = ("Facing a second front, the Polish government concluded that the defence of "
                   "the Romanian Bridgehead was no longer feasible and ordered an emergency "
                   "evacuation of all uniformed troops to then-neutral Romania.")


def romania_record(**extra):
    return parse_record("test.yaml#1", {
        "quote": LEAD_ON_ROMANIA, "section": "Background", "citation": "[1]",
        "entities": [{"name": "KingdomOfRomania", "class": "State", "label": "Kingdom of Romania",
                      "alt": ["Romania"]}],
        **extra,
    })


def how_known(facts, subject, predicate, obj):
    """"stated" (derived from a span), "inferred" (by the curation, with the spans it used
    and a reason), or None."""
    fact = ox.Triple(subject, predicate, obj)
    if fact in facts.evidence:
        return "stated"
    if facts.activities.get(fact) == {"curation"} and facts.used[fact] and facts.comments[fact]:
        return "inferred"
    return None


def test_a_fact_its_quote_does_not_state_is_refused_naming_the_fact_and_why():
    wrong_number = romania_record(facts=[["KingdomOfRomania", "rdfs:comment", {"en": "neutral"}],
                                         ["KingdomOfRomania", "durationDays", {"integer": 7}]])
    with pytest.raises(BuildError, match=r"test\.yaml#1: .*\[KingdomOfRomania, durationDays, "
                                         r"\"7\".*the number 7 is not written there"):
        build_triples(article_text(), [wrong_number])
    unnamed = romania_record(facts=[["KingdomOfRomania", "belligerent", "KingdomOfRomania"],
                                    ["PolishArmy", "destination", "KingdomOfRomania"]],
                             entities=[{"name": "KingdomOfRomania", "class": "State",
                                        "label": "Kingdom of Romania", "alt": ["Romania"]},
                                       {"name": "PolishArmy", "class": "ArmedForce",
                                        "label": "Polish Army"}])
    with pytest.raises(BuildError, match="PolishArmy is not named there"):
        build_triples(article_text(), [unnamed])


def test_a_mention_names_a_resource_and_the_curators_words_are_the_curators():
    record = romania_record(
        mentions={"uniformed troops": "PolishArmy"},
        entities=[{"name": "KingdomOfRomania", "class": "State", "label": "Kingdom of Romania",
                   "alt": ["Romania"]},
                  {"name": "PolishArmy", "class": "ArmedForce", "label": "Polish Army"}],
        facts=[["PolishArmy", "destination", "KingdomOfRomania"]],
        inferred=[{"reason": "Romania is a destination here.",
                   "facts": [["KingdomOfRomania", "a", "Country"]]}],
    )
    facts = collect_facts(article_text(), [record])
    romania, army = ox.NamedNode(iris.resource("KingdomOfRomania")), ox.NamedNode(
        iris.resource("PolishArmy"))
    label = ox.NamedNode(iris.PREFIXES["rdfs"] + "label")
    alt = ox.NamedNode(iris.PREFIXES["skos"] + "altLabel")
    destination = ox.NamedNode(iris.term("destination"))
    assert how_known(facts, army, destination, romania) == "stated"
    assert how_known(facts, romania, alt, ox.Literal("Romania", language="en")) == "stated"
    # "Kingdom of Romania" is not written in the quote: a label the curator minted.
    assert how_known(facts, romania, label,
                     ox.Literal("Kingdom of Romania", language="en")) == "inferred"
    assert how_known(facts, romania, terms.RDF_TYPE,
                     ox.NamedNode(iris.term("Country"))) == "inferred"
    # The mention is the curator's too: an annotation generated by the curation.
    body = ox.NamedNode(iris.PREFIXES["oa"] + "hasBody")
    mention = next(t.subject for t in facts.mentions if t.predicate == body)
    assert {(t.predicate.value.rsplit("#", 1)[-1], t.object) for t in facts.mentions
            if t.subject == mention} >= {
        ("hasBody", army), ("words", ox.Literal("uniformed troops")),
        ("wasGeneratedBy", ox.NamedNode(iris.resource("activity-curation")))}


def test_a_qualifying_word_must_be_carried_or_explained():
    text = article_text()
    quote = "Some 320,000 Polish prisoners of war had been captured."
    claim = {"name": "claim-x", "class": "QuantityClaim", "label": "x", "minimum": 320000,
             "maximum": 320000}
    bare = parse_record("test.yaml#3", {"quote": quote, "section": "Lead", "claims": [claim]})
    with pytest.raises(BuildError, match=r"test\.yaml#3: the quote says 'some'"):
        build_triples(text, [bare])
    approximate = parse_record("test.yaml#3", {"quote": quote, "section": "Lead",
                                               "claims": [{**claim, "approximate": True}]})
    assert collect_facts(text, [approximate])
    explained = parse_record("test.yaml#3", {"quote": quote, "section": "Lead",
                                             "claims": [claim], "hedges": {"some": "because"}})
    assert collect_facts(text, [explained])


def test_a_resource_used_but_never_described_is_refused():
    record = parse_record("x.yaml#1", {
        "quote": "4,736 tanks", "section": "Infobox", "mentions": {"tanks": "TankCorps"},
        "inferred": [{"reason": "r", "facts": [["Poland", "participant", "TankCorps"]]}],
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
        span = find_quote(text, record.quote, where=record.where,
                          occurrence=record.occurrence, prefix=record.prefix)
        assert text[span.start : span.end] == record.quote


def test_an_inference_uses_the_other_sentences_its_reason_names():
    text = article_text()
    tanks = {"quote": "4,736 tanks", "section": "Infobox",
             "entities": [{"name": "qk-tanks", "class": "QuantityKind", "label": "tanks"}]}
    belligerents = {"quote": "Poland\u00a0Soviet Union", "section": "Infobox",
                    "entities": [{"name": "SovietUnion", "class": "State",
                                  "label": "Soviet Union"}]}
    reading = {"reason": "The Soviet column follows the Polish one.",
               "facts": [["qk-tanks", "belongsTo", "SovietUnion"]]}
    records = [parse_record("t.yaml#1", {**tanks, "inferred": [
                   {**reading, "used": ["Poland\u00a0Soviet"]}]}),
               parse_record("t.yaml#2", belligerents)]
    facts = collect_facts(text, records)
    fact = ox.Triple(ox.NamedNode(iris.resource("qk-tanks")), ox.NamedNode(iris.term("belongsTo")),
                     ox.NamedNode(iris.resource("SovietUnion")))
    assert {ev.span.exact for ev in facts.used[fact]} == {"4,736 tanks", "Poland\u00a0Soviet Union"}
    unknown = parse_record("t.yaml#1", {**tanks, "inferred": [{**reading, "used": ["Nowhere"]}]})
    with pytest.raises(BuildError, match=r"t\.yaml#1: 'used' 'Nowhere' must begin exactly one"):
        collect_facts(text, [unknown, records[1]])
    with pytest.raises(CurationError, match="'used' lists the beginnings"):
        parse_record("t.yaml#1", {**tanks, "inferred": [{**reading, "used": "Poland"}]})
