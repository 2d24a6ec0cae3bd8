"""`kg validate`: the shapes reject each kind of broken data and accept correct data.

Each file in tests/shapes/ is a small graph in the provenance pattern of the
design (statement nodes, Web Annotation evidence with the article's offsets).
The valid-*.ttl files conform; every other file breaks exactly one rule, and the
table below says which shape must catch it, on which node, with which words.
"""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from kg import cli
from kg.source import article_text
from kg.validate import SHAPES_FILE

FIXTURES = Path(__file__).parent / "shapes"
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
SHAPES_NS = "https://w3id.org/kresy1939/shapes#"
UNDECLARED = "undeclared kg: term"

#: broken file -> (shape that catches it, offending node, property path, words of the message)
BROKEN = {
    "event-without-label.ttl": ("EventLabelShape", "kgr:SovietInvasionOfPoland", "rdfs:label",
                                "no English name"),
    "event-label-not-english.ttl": ("EventLabelShape", "kgr:SovietInvasionOfPoland",
                                    "rdfs:label", "no English name"),
    "event-generic-type.ttl": ("EventTypeShape", "kgr:SovietInvasionOfPoland",
                               "rdf:type/rdfs:subClassOf+", "only that it is a kg:Event"),
    "event-without-time.ttl": ("EventTimeShape", "kgr:SovietRepressions", "-",
                               "This event has no time"),
    "event-date-as-string.ttl": ("TimeValueShape", "kgr:SovietInvasionOfPoland", "kg:startDate",
                                 "kg:startDate must be one value typed xsd:date"),
    "statement-without-object.ttl": ("StatementShape", "kgr:stmt-invasion-start", "rdf:object",
                                     "needs exactly one rdf:object"),
    "statement-without-evidence.ttl": ("StatementEvidenceShape", "kgr:stmt-invasion-start", "-",
                                       "This statement has no evidence"),
    "evidence-without-position.ttl": ("EvidenceShape", "kgr:ev-infobox-date", "oa:hasSelector",
                                      "needs an oa:TextPositionSelector"),
    "evidence-offsets-as-strings.ttl": ("EvidenceShape", "kgr:ev-infobox-date", "oa:hasSelector",
                                        "as xsd:integer offsets"),
    "activity-without-method.ttl": ("ActivityShape", "kgr:curation-1", "kg:method",
                                    "needs kg:method"),
    "quantity-without-number.ttl": ("QuantityClaimShape", "kgr:claim-polish-dead-or-missing", "-",
                                    "This figure has no number"),
    "quantity-number-as-string.ttl": ("QuantityValueShape", "kgr:claim-polish-dead-or-missing",
                                      "kg:minimum", "never a string such as"),
    "quantity-min-greater-than-max.ttl": ("QuantityValueShape", "kgr:claim-polish-dead-or-missing",
                                          "kg:minimum", "minimum is greater than its maximum"),
    "quantity-without-kind.ttl": ("QuantityValueShape", "kgr:claim-polish-dead-or-missing",
                                  "kg:quantityKind", "needs exactly one kg:quantityKind"),
    "wikidata-page-url.ttl": ("WikidataLinkShape", "kgr:SovietInvasionOfPoland",
                              "skos:exactMatch", "is not a Wikidata entity IRI"),
    "wikidata-same-as.ttl": ("NoSameAsShape", "kgr:SovietInvasionOfPoland", "owl:sameAs",
                             "Do not use owl:sameAs"),
    "inferred-statement-without-used.ttl": ("InferredStatementShape", "kgr:stmt-romania-type",
                                            "-", "does not say what from"),
    "fact-without-statement.ttl": ("FactStatementShape", "kgr:SovietInvasionOfPoland",
                                   "kg:location", "This fact has no provenance"),
    # Not a SHACL shape: kg validate's own check that every kg: term used is declared.
    "undeclared-property.ttl": (UNDECLARED, "kgr:SovietInvasionOfPoland", "kg:startdate",
                                "kg:startdate is not a property of the ontology"),
    "undeclared-class.ttl": (UNDECLARED, "kgr:SovietInvasionOfPoland", "rdf:type",
                             "kg:Invasoin is not a class of the ontology"),
}
VALID = sorted(p.name for p in FIXTURES.glob("valid-*.ttl"))


def validate(capsys, *files):
    status = cli.main(["validate", *(str(FIXTURES / f) for f in files)])
    out = capsys.readouterr().out
    return status, out


def test_every_fixture_is_listed_and_every_shape_has_a_broken_fixture():
    assert {p.name for p in FIXTURES.glob("*.ttl")} == set(BROKEN) | set(VALID)
    shapes = rdflib.Graph().parse(SHAPES_FILE)
    named = {str(s)[len(SHAPES_NS):] for s in shapes.subjects(RDF.type, rdflib.SH.NodeShape)
             if str(s).startswith(SHAPES_NS)}
    assert named == {shape for shape, *_ in BROKEN.values()} - {UNDECLARED}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_data_is_rejected_naming_the_node_and_the_problem(capsys, name):
    _shape, node, path, words = BROKEN[name]
    status, out = validate(capsys, name)
    assert status == 1
    lines = out.splitlines()
    assert any(line.startswith(f"{node} | {path} | ") and words in line for line in lines), out
    assert lines[-1].endswith(" triples") and "violations in" in lines[-1]


@pytest.mark.parametrize("name", VALID)
def test_correct_data_conforms(capsys, name):
    status, out = validate(capsys, name)
    assert status == 0, out
    triples = len(rdflib.Graph().parse(FIXTURES / name))
    assert out == f"OK: {triples} triples conform\n"


def test_several_files_are_validated_together(capsys):
    status, out = validate(capsys, *VALID)
    assert status == 0, out


def test_ontology_wikidata_mappings_to_properties_are_not_data_links(capsys):
    """alignment.ttl maps kg:startDate to wdt:P580; only the data's links must be Q items."""
    status, out = validate(capsys, "valid-wikidata.ttl")
    assert status == 0 and "P580" not in out


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.ttl")))
def test_fixture_quotes_are_the_article_text_at_their_offsets(name):
    text = article_text()
    graph = rdflib.Graph().parse(FIXTURES / name)
    for evidence in graph.subjects(RDF.type, OA.SpecificResource):
        selectors = list(graph.objects(evidence, OA.hasSelector))
        exact = [graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact)]
        starts = [graph.value(s, OA.start) for s in selectors if graph.value(s, OA.start)]
        ends = [graph.value(s, OA.end) for s in selectors if graph.value(s, OA.end)]
        for quote, start, end in zip(exact, starts, ends, strict=False):
            assert text[int(start):int(end)] == str(quote), (name, evidence)


def test_missing_file_is_a_clear_error_not_a_violation(capsys, tmp_path):
    status = cli.main(["validate", str(tmp_path / "nowhere.ttl")])
    assert status == 2
    assert "no such file" in capsys.readouterr().err


def test_unparsable_turtle_is_a_clear_error(capsys, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> ", encoding="utf-8")
    assert cli.main(["validate", str(broken)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_kg_validate_console_command_exits_1_on_violations_and_0_on_valid_data():
    """The installed `kg` script, as a curator or CI runs it."""
    kg = Path(sys.executable).with_name("kg")
    bad = subprocess.run([kg, "validate", FIXTURES / "fact-without-statement.ttl"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "kgr:SovietInvasionOfPoland | kg:location |" in bad.stdout
    good = subprocess.run([kg, "validate", FIXTURES / "valid-event.ttl"],
                          capture_output=True, text=True, timeout=120)
    assert good.returncode == 0
    assert good.stdout.startswith("OK: ")


@pytest.mark.slow
def test_a_graph_of_realistic_size_validates_in_seconds_and_one_bad_fact_is_found(
        capsys, tmp_path):
    """100 copies of valid-event.ttl (5,500 triples, more than the article yields), one
    with an unreified fact: found among them, in well under a minute even on a busy machine."""
    template = (FIXTURES / "valid-event.ttl").read_text(encoding="utf-8")
    prefixes, body = template.split("# --- Facts", 1)
    copies = [prefixes]
    for i in range(100):
        copies.append(re.sub(r"kgr:([A-Za-z-]+)", rf"kgr:\1-{i}", "# --- Facts" + body))
    copies[-1] = copies[-1].replace(
        '"1939-09-17"^^xsd:date .', '"1939-09-17"^^xsd:date ;\n    kg:location kgr:Kresy .', 1)
    data = tmp_path / "many.ttl"
    data.write_text("".join(copies), encoding="utf-8")
    started = time.perf_counter()
    status = cli.main(["validate", str(data)])
    elapsed = time.perf_counter() - started
    out = capsys.readouterr().out
    assert status == 1
    assert out.splitlines()[0].startswith("kgr:SovietInvasionOfPoland-99 | kg:location | ")
    assert out.splitlines()[-1] == "1 violations in 5501 triples"
    assert elapsed < 60
