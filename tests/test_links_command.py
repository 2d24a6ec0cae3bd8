"""``kg links check`` and ``kg links export``, run as a user runs them."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from wikidata_sample import SAMPLE, free_port, sample_endpoint  # noqa: F401 - a fixture

from kg import curate, iris, names
from kg.wikidata.links import Item, Link, doubts

KG = str(Path(sys.executable).parent / "kg")
#: The deliberately wrong link: a city linked to a province.
WRONG_LINK = (f"<{iris.resource('Lwow')}> <{iris.PREFIXES['skos']}exactMatch> "
              f"<{iris.wikidata('Q900000001')}> .\n")


def kg(*args):
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def data_with_a_wrong_link(tmp_path):
    """Our data about the resources linked to items of the sample, with their statements,
    keeping only links to items the sample has, plus one wrong link. Returns the file
    and the number of links in it."""
    store = ox.Store()
    store.bulk_load(path=str(iris.TRIPLES_FILE), format=ox.RdfFormat.TURTLE,
                    to_graph=ox.NamedNode(iris.DATA_GRAPH))
    store.bulk_load(path=str(SAMPLE), format=ox.RdfFormat.TURTLE)
    triples = list(store.query(f"""
        CONSTRUCT {{ ?s ?p ?o }} WHERE {{
          {{ SELECT DISTINCT ?r WHERE {{ GRAPH <{iris.DATA_GRAPH}> {{ ?r ?match ?item }}
                                        ?item wdt:P31 ?type }} }}
          GRAPH <{iris.DATA_GRAPH}> {{
            {{ ?r ?p ?o BIND(?r AS ?s) }} UNION {{ ?s rdf:subject ?r ; ?p ?o }}
          }}
          FILTER NOT EXISTS {{
            FILTER(?p IN (skos:exactMatch, skos:closeMatch))
            FILTER NOT EXISTS {{ ?o wdt:P31 ?anyType }}
          }}
        }}""", prefixes=iris.PREFIXES))
    path = tmp_path / "links.nt"
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) + WRONG_LINK.encode())
    matches = {iris.PREFIXES["skos"] + "exactMatch", iris.PREFIXES["skos"] + "closeMatch"}
    links = sum(1 for t in triples if t.predicate.value in matches)
    assert links >= 8, "the sample should cover a fair share of our links"
    return path, links + 1


def test_check_reports_the_city_linked_to_a_province_and_exits_1(
        data_with_a_wrong_link, sample_endpoint):  # noqa: F811 - fixture argument
    path, links = data_with_a_wrong_link
    result = kg("links", "check", "--data-file", str(path), "--endpoint", sample_endpoint)
    assert result.returncode == 1, result.stderr
    doubtful = [line for line in result.stdout.splitlines() if line.startswith("DOUBTFUL")]
    assert doubtful == ["DOUBTFUL kgr:Lwow skos:exactMatch wd:Q900000001 "
                        "('Lwów' / 'Volhynia Province (invented)')"]
    assert "label 'Lwów' does not fit 'Volhynia Province (invented)'" in result.stdout
    assert "type: kg:City expects an instance of Q515" in result.stdout
    assert "province (invented class) (Q900000002)" in result.stdout
    assert f"{links} links checked" in result.stdout
    assert f"{links - 1} fit, 1 doubtful" in result.stdout


def test_check_exits_0_when_every_link_fits(tmp_path, data_with_a_wrong_link,
                                            sample_endpoint):  # noqa: F811 - fixture argument
    path, links = data_with_a_wrong_link
    good = tmp_path / "good.nt"
    good.write_text(path.read_text().replace(WRONG_LINK, ""))
    result = kg("links", "check", "--data-file", str(good), "--endpoint", sample_endpoint)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{links - 1} links checked" in result.stdout
    assert f"{links - 1} fit, 0 doubtful" in result.stdout


def test_check_offline_says_so_and_exits_3():
    unreachable = f"http://127.0.0.1:{free_port()}/sparql"
    result = kg("links", "check", "--endpoint", unreachable)
    assert result.returncode == 3
    assert "offline?" in result.stderr and "No link was checked" in result.stderr


def _link(match="exact", classes=(), dates=None, label="Soviet Union"):
    return Link(iris.resource("X"), "Q1", match, [(label, "en")], set(classes), dates or {})


def test_a_state_linked_to_one_that_ended_before_1939_is_doubtful():
    empire = Item("Q1", [("Russian Empire", "en"), ("Soviet Union", "en")], {"Q3024240": "h"},
                  {"Q3024240"}, {"dissolved": "1917-09-14T00:00:00Z"})
    assert doubts(_link(classes={"State", "Actor"}), empire) == [
        "the item ended in 1917, before 1939"]


def test_an_event_linked_to_one_that_started_another_day_is_doubtful():
    link = _link(classes={"Invasion", "Event"}, dates={"start": "1939-09-17"},
                 label="Invasion of Poland")
    german = Item("Q1", [("invasion of Poland", "en")], {"Q831663": "military campaign"},
                  {"Q1190554"}, {"start": "1939-09-01T00:00:00Z"})
    assert doubts(link, german) == ["start: ours 1939-09-17, the item's 1939-09-01"]


def test_a_close_match_may_have_another_name():
    poland = Item("Q36", [("Poland", "en")], {"Q6256": "country"}, {"Q6256"}, {})
    assert doubts(_link("close", {"State"}, label="Second Polish Republic"), poland) == []
    assert doubts(_link("exact", {"State"}, label="Second Polish Republic"), poland) != []


def test_export_csv_has_both_labels_match_and_evidence():
    result = kg("links", "export", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["resource", "qid", "label", "wikidata_label", "match", "evidence"]
    lwow = next(row for row in rows if row["resource"] == iris.resource("Lwow"))
    assert (lwow["qid"], lwow["label"], lwow["wikidata_label"], lwow["match"]) == (
        "Q36036", "Lwów", "Lviv", "exact")
    assert lwow["evidence"].startswith("Checked against Wikidata label 'Lviv'")
    assert {row["match"] for row in rows} == {"exact", "close"}


def test_export_quickstatements_proposes_our_label_as_alias_for_exact_matches_only():
    result = kg("links", "export", "--format", "quickstatements")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    lwow = next(line for line in lines if iris.resource("Lwow") in line)
    assert lwow.startswith('Q36036\tAen\t"Lwów"\t/* ')
    poland = next(line for line in lines if "Q36 " in line)
    assert poland.startswith("/* ") and "close match" in poland
    hitler = next(line for line in lines if iris.resource("AdolfHitler") in line)
    assert hitler.startswith("/* ")  # same label on both sides: nothing to propose


def _quickstatements(*args) -> list[str]:
    result = kg("links", "export", "--format", "quickstatements", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _aliases(lines) -> list[tuple[str, str]]:
    """(QID, alias) of every command that would add an English alias."""
    return [(qid, value.strip('"')) for qid, command, value, *_ in
            (line.split("\t") for line in lines if "\tAen\t" in line)]


def test_no_alias_on_a_close_match_nor_one_naming_another_linked_item():
    rows = list(csv.DictReader(io.StringIO(kg("links", "export").stdout)))
    close = {row["qid"] for row in rows if row["match"] == "close"}
    named = {names.fold(row["wikidata_label"]): row["qid"] for row in rows}
    aliases = _aliases(_quickstatements())
    assert aliases, "the export should still propose the aliases that are certain"
    for qid, alias in aliases:
        assert qid not in close, f"alias {alias!r} proposed for the close match {qid}"
        assert names.fold(alias) not in named, (
            f"alias {alias!r} for {qid} is the Wikidata label of {named[names.fold(alias)]}")
    # Our kgr:France is the French Third Republic (Q70802); "France" is Q142, the country of
    # every period: proposing it as an alias of the Third Republic would be wrong.
    third_republic = next(line for line in _quickstatements() if "Q70802" in line)
    assert third_republic.startswith("/* ") and "Q142" in third_republic


def test_no_alias_for_a_historical_state_named_like_the_country(tmp_path):
    """A state linked both exactly (the 1933-1945 state) and closely (the state of every
    period) may carry the country's plain name: that name is no alias of the exact item."""
    data = tmp_path / "germany.ttl"
    data.write_text(f"""
        <{iris.resource("NaziGermany")}> a <{iris.term("State")}> ;
            <{iris.PREFIXES["rdfs"]}label> "Germany"@en ;
            <{iris.PREFIXES["skos"]}exactMatch> <{iris.wikidata("Q7318")}> ;
            <{iris.PREFIXES["skos"]}closeMatch> <{iris.wikidata("Q1206012")}> .
    """)
    lines = _quickstatements("--data-file", str(data))
    assert len(lines) == 2 and _aliases(lines) == []
    exact = next(line for line in lines if "Q7318" in line)
    assert "Q1206012" in exact  # the comment says why no alias is proposed


def test_no_alias_when_the_wikidata_label_was_never_checked(tmp_path):
    data = tmp_path / "unchecked.ttl"
    data.write_text(f"""
        <{iris.resource("Somewhere")}> <{iris.PREFIXES["rdfs"]}label> "Somewhere"@en ;
            <{iris.PREFIXES["skos"]}exactMatch> <{iris.wikidata("Q42")}> .
    """)
    [line] = _quickstatements("--data-file", str(data))
    assert line.startswith("/* no alias (no Wikidata label was recorded")


#: What Wikidata records as the summary of an alias added by a QuickStatements batch:
#: Wikibase's autocomment and the alias (doc.wikimedia.org/Wikibase, "Summaries"), then
#: QuickStatements' tag, the line's comment and the batch link with the user's name
#: (magnusmanske/quickstatements, quickstatements.php runAction / runNextCommandInBatch).
RECORDED = ("/* wbsetaliases-add:1|en */ {alias}, #quickstatements; {comment}; "
            "[[:toollabs:quickstatements/#/batch/{batch}|batch #{batch}]] by [[User:{user}|]]")


def test_every_edit_summary_stays_under_500_characters():
    lines = _quickstatements()
    for line in lines:
        command, _, comment = line.partition("/* ")
        comment = comment.removesuffix(" */")
        alias = command.split("\t")[2].strip('"') if command else ""
        summary = RECORDED.format(alias=alias, comment=comment, batch="1234567890",
                                  user="A" * 85)
        assert len(summary) < 500, f"{len(summary)} characters: {line}"
        assert iris.RESOURCE in comment  # the comment still names our resource
    lwow = next(line for line in lines if iris.resource("Lwow") in line)
    assert "'Lviv'" in lwow and lwow.endswith("… */")  # the evidence, cut at a word


def test_export_from_the_loaded_store_equals_export_from_the_data_file(tmp_path):
    assert kg("load", "--store", str(tmp_path)).returncode == 0
    from_store = kg("links", "export", "--from-store", "--store", str(tmp_path))
    assert from_store.returncode == 0, from_store.stderr
    assert from_store.stdout == kg("links", "export").stdout


def test_from_an_empty_store_says_to_load_it(tmp_path):
    result = kg("links", "export", "--from-store", "--store", str(tmp_path / "none"))
    assert result.returncode == 2 and "kg load" in result.stderr


def test_a_missing_data_file_is_one_line_not_a_traceback(tmp_path):
    missing = tmp_path / "none.ttl"
    result = kg("links", "export", "--data-file", str(missing))
    assert result.returncode == 2
    assert result.stderr == f"kg links: no such data file: {missing}\n"


def _unlinked(*args) -> list[dict]:
    result = kg("links", "export", "--unlinked", *args)
    assert result.returncode == 0, result.stderr
    delimiter = "\t" if "tsv" in args else ","
    return list(csv.DictReader(io.StringIO(result.stdout), delimiter=delimiter))


def _entities_without_links() -> set[str]:
    """Our resources typed with an ontology class that is no claim, reference, quantity
    kind or provenance node, and with neither skos:exactMatch nor skos:closeMatch."""
    store = ox.Store()
    store.bulk_load(path=str(iris.TRIPLES_FILE), format=ox.RdfFormat.TURTLE)
    rows = store.query("""
        SELECT DISTINCT ?r WHERE {
          ?r a ?class FILTER(STRSTARTS(STR(?class), STR(kg:)) && STRSTARTS(STR(?r), STR(kgr:)))
          FILTER NOT EXISTS { ?r a ?other
            FILTER(?other IN (kg:QuantityClaim, kg:PropositionClaim, kg:Claim, kg:Reference,
                              kg:QuantityKind)) }
          FILTER NOT EXISTS { ?r skos:exactMatch|skos:closeMatch ?item }
        }""", prefixes=iris.PREFIXES)
    return {row["r"].value for row in rows}


def test_export_unlinked_lists_every_entity_without_a_link_with_the_curators_reason():
    rows = _unlinked("--format", "tsv")
    assert list(rows[0]) == ["iri", "label", "class", "reason"]
    by_iri = {row["iri"]: row for row in rows}
    assert set(by_iri) == _entities_without_links()
    linked = {iris.resource(link.resource) for link in curate.load_wikidata_links()}
    assert not linked & set(by_iri)
    kresy = by_iri[iris.resource("Kresy")]
    assert (kresy["label"], kresy["class"]) == ("Kresy", "Region")
    # The reason is the last cell of the row of src/kg/curate/wikidata-unresolved.md.
    unresolved = (Path(curate.__file__).parent / "wikidata-unresolved.md").read_text()
    row = next(line for line in unresolved.splitlines() if line.startswith("| Kresy |"))
    assert kresy["reason"] == row.strip(" |").split("|")[-1].strip()
    rommel = by_iri[iris.resource("JuliuszRommel")]
    assert (rommel["label"], rommel["class"]) == ("Juliusz Rómmel", "Person")
    assert all(row["class"] and row["label"] for row in rows)


def test_export_unlinked_as_csv_equals_tsv_and_refuses_quickstatements():
    assert _unlinked() == _unlinked("--format", "tsv")
    result = kg("links", "export", "--unlinked", "--format", "quickstatements")
    assert result.returncode == 2
    assert result.stderr == ("kg links export: --unlinked writes csv or tsv, "
                             "not quickstatements\n")
