"""data/triples.ttl: every fact traceable to the article's words, figures typed, file current.

These tests read the committed release file the way a user would (a pyoxigraph
store, no ontology) and check it against the shipped article and a fresh build.
"""

import re
import subprocess
import sys
from argparse import Namespace

import pyoxigraph as ox
import pytest
import rdflib

from kg import iris
from kg.build import build_turtle, command
from kg.build.graph import build_triples
from kg.build.quotes import CONTEXT_CHARS, QuoteError, find_quote
from kg.curate import parse_record
from kg.source import article_text

PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in iris.PREFIXES.items())
XSD = iris.PREFIXES["xsd"]

#: Subjects that describe where facts come from rather than the history itself.
PROVENANCE_CLASSES = [
    "rdf:Statement", "oa:SpecificResource", "oa:TextQuoteSelector", "oa:TextPositionSelector",
    "oa:Annotation",
    "prov:Activity", "prov:Agent", "schema:Article", "schema:Organization",
]

#: Lines of the article (1-based) that state nothing themselves: their text, and why.
NOT_STATEMENTS = {
    1: ("Soviet invasion of Poland", "page title; line 3, the infobox title, repeats it and is "
        "the evidence of the invasion's English label"),
    11: ("Commanders and leaders", "infobox heading; the plain text lists no commanders under it"),
    20: ("Casualties and losses", "infobox heading; the figures below it are the evidence"),
    38: ("Other Languages", "section heading; the titles below it are the evidence"),
}
#: Infobox field names glued to their values in the plain text ("Date17 September ...").
FIELD_NAMES = re.compile(r"^(Date|Result)(?=\S)")
MARKERS = re.compile(r"\[(?:\d+|Note \d+)\](?::\d+)?")
#: A sentence ends at . ! or ?, after its reference markers, before a capital letter or the end.
SENTENCE_END = re.compile(r"[.!?](?:\[(?:\d+|Note \d+)\](?::\d+)?)*(?=\s+[A-Z]|[A-Z]|\s*$)")


@pytest.fixture(scope="module")
def store():
    store = ox.Store()
    store.load(path=str(iris.TRIPLES_FILE), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def text():
    return article_text()


def select(store, query):
    solutions = store.query(PREFIXES + query)
    names = [v.value for v in solutions.variables]
    return [
        {name: row[name] for name in names if row[name] is not None} for row in solutions
    ]


def spans(store):
    return select(store, """
        SELECT ?ev ?exact ?prefix ?suffix ?start ?end WHERE {
          ?ev a oa:SpecificResource ; oa:hasSource kgr:article ;
              oa:hasSelector ?q, ?p .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        }""")


def fact_triples(store):
    """Every triple except the provenance description itself."""
    provenance = {
        row["s"] for row in select(
            store, f"SELECT ?s WHERE {{ VALUES ?c {{ {' '.join(PROVENANCE_CLASSES)} }} ?s a ?c }}"
        )
    }
    return [q.triple for q in store if q.subject not in provenance]


def sentences_and_lines(text):
    """(start, end) of every infobox line, caption, sentence and other-language title."""
    units, offset = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        start, end = offset, offset + len(line)
        offset = end + 1
        if number in NOT_STATEMENTS:
            assert line == NOT_STATEMENTS[number][0], "the article changed: review NOT_STATEMENTS"
            continue
        if not line.strip():
            continue
        field = FIELD_NAMES.match(line)
        start += field.end() if field else 0
        at = start
        for match in SENTENCE_END.finditer(text, start, end):
            units.append((at, match.end()))
            at = match.end()
            while at < end and text[at] == " ":
                at += 1
        if at < end:
            units.append((at, end))
    return units


def test_every_evidence_span_slices_the_article_exactly(store, text):
    found = spans(store)
    assert len(found) > 50
    for row in found:
        start, end = int(row["start"].value), int(row["end"].value)
        assert text[start:end] == row["exact"].value, row["ev"]
        assert row["prefix"].value == text[max(0, start - CONTEXT_CHARS) : start]
        assert row["suffix"].value == text[end : end + CONTEXT_CHARS]


def test_every_fact_has_a_statement_from_a_span_or_an_activity(store):
    facts = fact_triples(store)
    statements = select(store, """
        SELECT ?s ?p ?o (BOUND(?ev) AS ?span) (BOUND(?act) AS ?activity) WHERE {
          ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          OPTIONAL { ?st prov:wasDerivedFrom ?ev . ?ev oa:hasSource kgr:article }
          OPTIONAL { ?st prov:wasGeneratedBy ?act . ?act a prov:Activity }
        }""")
    by_triple = {}
    for row in statements:
        key = ox.Triple(row["s"], row["p"], row["o"])
        spanned = by_triple.get(key, (False, False))
        by_triple[key] = (spanned[0] or row["span"].value == "true",
                          spanned[1] or row["activity"].value == "true")
    missing = [t for t in facts if t not in by_triple]
    assert not missing, f"{len(missing)} facts without a statement, e.g. {missing[:3]}"
    unsourced = [t for t in facts if not any(by_triple[t])]
    assert not unsourced, f"statements with neither span nor activity: {unsourced[:3]}"
    # No target share: a span is the evidence only of what it states (test_data_support.py).
    from_span = sum(1 for t in facts if by_triple[t][0])
    print(f"\n{len(facts)} fact triples, {from_span} stated by an article span")
    asserted = {q.triple for q in store}
    dangling = [t for t in by_triple if t not in asserted]
    assert not dangling, f"statements about triples the data does not assert: {dangling[:3]}"


def uncovered(text, evidence_spans):
    """The sentences/lines less than 90% of whose letters and digits (reference markers
    aside) lie inside some evidence span, each with its covered share."""
    covered = [False] * len(text)
    for start, end in evidence_spans:
        covered[start:end] = [True] * (end - start)
    missing = []
    for start, end in sentences_and_lines(text):
        unit = MARKERS.sub(lambda m: " " * len(m.group(0)), text[start:end])
        letters = [start + i for i, ch in enumerate(unit) if ch.isalnum()]
        share = sum(covered[i] for i in letters) / len(letters)
        if share < 0.9:
            missing.append(f"{share:.0%} {text[start:end]!r}")
    return missing


def test_every_sentence_and_infobox_line_is_the_evidence_of_a_statement(store, text):
    evidence_spans = [
        (int(row["start"].value), int(row["end"].value)) for row in select(store, """
            SELECT DISTINCT ?start ?end WHERE {
              ?st a rdf:Statement ; prov:wasDerivedFrom/oa:hasSelector ?p .
              ?p oa:start ?start ; oa:end ?end .
            }""")
    ]
    units = sentences_and_lines(text)
    missing = uncovered(text, evidence_spans)
    print(f"\n{len(units)} sentences and lines, {len(units) - len(missing)} covered")
    print("\n".join(["not covered:"] + missing) if missing else "")
    assert len(units) == 53
    assert not missing
    # The check itself notices a sentence nobody quoted.
    tanks = text.index("4,736 tanks")
    without_tanks = [(s, e) for s, e in evidence_spans if not s <= tanks < e]
    assert uncovered(text, without_tanks) == ["0% '4,736 tanks'"]


def test_every_number_is_a_typed_literal(store):
    figures = select(store, """
        SELECT ?claim ?p ?v WHERE {
          VALUES ?p { kg:minimum kg:maximum kg:durationDays }
          ?claim ?p ?v }""")
    assert len(figures) > 30
    for row in figures:
        assert row["v"].datatype.value in (XSD + "integer", XSD + "decimal"), row
    plain = select(store, """
        SELECT ?s ?p ?v WHERE { ?s ?p ?v FILTER(isLiteral(?v) && datatype(?v) = xsd:string
                                            && REGEX(?v, "^[0-9][0-9,.]*$")) }""")
    assert not plain, f"numbers written as strings: {plain}"


def test_every_range_has_minimum_at_most_maximum(store):
    ranges = select(store, """
        SELECT ?claim ?min ?max WHERE { ?claim kg:minimum ?min ; kg:maximum ?max }""")
    assert len(ranges) >= 15
    assert all(float(r["min"].value) <= float(r["max"].value) for r in ranges)


def test_dates_keep_the_articles_precision(store):
    dates = select(store, """
        SELECT ?e ?p ?d WHERE { VALUES ?p { kg:startDate kg:endDate kg:pointInTime } ?e ?p ?d }""")
    kinds = {row["d"].datatype.value.removeprefix(XSD) for row in dates}
    assert kinds == {"date", "gYearMonth", "gYear"}


def test_every_resource_has_an_english_label_and_no_blank_nodes(store):
    unlabelled = select(store, """
        SELECT DISTINCT ?r WHERE {
          { ?r ?p ?o } UNION { ?s ?p ?r }
          FILTER(isIRI(?r) && STRSTARTS(STR(?r), STR(kgr:))
                 && !REGEX(STR(?r), "/(stmt|ev)-[0-9a-f]+(-quote|-pos)?$"))
          FILTER NOT EXISTS { ?r rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }
        }""")
    assert not unlabelled
    assert not any(isinstance(t, ox.BlankNode) for q in store for t in (q.subject, q.object))


def test_rdflib_reads_the_same_graph(store):
    graph = rdflib.Graph().parse(iris.TRIPLES_FILE, format="turtle")
    assert len(graph) == len(store)


def test_build_is_deterministic_and_the_committed_file_is_current():
    first, second = build_turtle(), build_turtle()
    assert first == second
    assert iris.TRIPLES_FILE.read_text(encoding="utf-8") == first, "run `kg build`"
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_build_check_fails_on_a_stale_file(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "triples.ttl"
    stale.write_text("# stale\n", encoding="utf-8")
    monkeypatch.setattr(iris, "TRIPLES_FILE", stale)
    assert command.run(Namespace(check=True)) == 1
    assert "stale" in capsys.readouterr().err
    assert command.run(Namespace(check=False)) == 0
    assert command.run(Namespace(check=True)) == 0


def test_a_quote_that_does_not_occur_is_refused_naming_the_record(text):
    record = parse_record("test.yaml#1", {
        "quote": "The Red Army was welcomed everywhere.", "section": "Lead",
        "facts": [["RedArmy", "rdfs:label", {"en": "Red Army"}]],
    })
    with pytest.raises(QuoteError, match=r"test\.yaml#1: quote does not occur"):
        build_triples(text, [record])


def test_an_ambiguous_quote_needs_a_hint(text):
    with pytest.raises(QuoteError, match="occurs 2 times"):
        find_quote(text, "Soviet parade in Lwów, 1939", where="caption")
    first = find_quote(text, "Soviet parade in Lwów, 1939", where="caption", occurrence=1)
    second = find_quote(text, "Soviet parade in Lwów, 1939", where="caption", occurrence=2)
    assert first.start < second.start
    infobox_title = find_quote(text, "Soviet invasion of Poland", where="title", prefix="\n\n")
    assert infobox_title.start == len("Soviet invasion of Poland\n\n")
    with pytest.raises(QuoteError, match="occurrence 3 asked"):
        find_quote(text, "Soviet parade in Lwów, 1939", where="caption", occurrence=3)


def test_a_citation_the_article_does_not_print_there_is_refused(text):
    record = parse_record("test.yaml#2", {
        "quote": "4,736 tanks", "section": "Infobox", "citation": "[9]",
        "facts": [["RedArmy", "rdfs:label", {"en": "Red Army"}]],
    })
    with pytest.raises(QuoteError, match=r"test\.yaml#2: citation '\[9\]'"):
        build_triples(text, [record])


def test_claims_cite_the_references_printed_beside_their_words(store):
    cited = select(store, "SELECT ?claim ?ref WHERE { ?claim kg:accordingTo ?ref }")
    beside = select(store, """
        SELECT DISTINCT ?claim ?ref WHERE {
          ?claim kg:accordingTo ?ref . ?ref a kg:Reference ; rdfs:label ?marker .
          ?statement rdf:subject ?claim ; rdf:predicate kg:accordingTo ; rdf:object ?ref ;
                     prov:wasDerivedFrom/kg:citation ?citation .
          FILTER(CONTAINS(?citation, STR(?marker)))
        }""")
    assert len(cited) >= 15
    assert len(beside) == len(cited)
