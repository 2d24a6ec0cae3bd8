"""Every example query of the query page answers its question as the article does.

Each example runs against a real server on the real graph; its check compares the
answer with the article text (figures as the infobox prints them, dates as the lead
words them, quotes as substrings at their offsets). Adding an example without a check
fails ``test_every_example_has_a_check``.
"""

import re

import pyoxigraph as ox
import pytest

from kg import curate
from kg.iris import ONTOLOGY_DIR, ONTOLOGY_NS, PREFIXES, RESOURCE, TRIPLES_FILE, WIKIDATA_ENTITY
from kg.source import article_text
from kg.web.examples import load_examples
from kg.wikidata import links, unlinked

ARTICLE = article_text()
EXAMPLES = {example.name: example for example in load_examples()}
KG = ONTOLOGY_NS
XSD = PREFIXES["xsd"]


def local(iri: str) -> str:
    return iri.removeprefix(RESOURCE).removeprefix(KG)


def rows_of(server, name: str) -> list[dict]:
    return server.select(EXAMPLES[name].query)


def in_article(*words: str) -> None:
    for text in words:
        assert text in ARTICLE, f"the article does not say {text!r}"


def markers(text: str) -> set[str]:
    """The reference markers in a span of the article: "[2][3]" -> {"[2]", "[3]"}."""
    return set(re.findall(r"\[[^\]]+\]", text))


def check_start_and_end(rows):
    events = {local(r["event"]): r for r in rows}
    invasion = events["SovietInvasionOfPoland"]
    assert (invasion["start"], invasion["end"], invasion["days"]) == \
        ("1939-09-17", "1939-10-06", "20")
    in_article("17 September – 6 October 1939", "lasted for the following 20 days")
    assert {"InvasionOfPoland", "WorldWarII"} <= set(events)
    in_article("Part of the Invasion of Poland in World War II")


def _figures(rows):
    return {
        (local(r["side"]), local(r["kind"]), r.get("minimum"), r.get("maximum")):
            markers(r.get("sources", ""))
        for r in rows
    }


#: (side, kind, minimum, maximum, the infobox line with its markers)
POLAND, USSR = "SecondPolishRepublic", "SovietUnion"
STRENGTH = [
    (POLAND, "qk-personnel", "20000", "20000", "20,000 Border Protection Corps,[1][Note 1]"),
    (POLAND, "qk-personnel", "450000", "450000", "450,000 Polish Army.[2][Note 2]"),
    (USSR, "qk-personnel", "600000", "800000", "600,000–800,000 troops[2][3]"),
    (USSR, "qk-divisions", "33", None, "33+ divisions"),
    (USSR, "qk-brigades", "11", None, "11+ brigades"),
    (USSR, "qk-guns", "4959", "4959", "4,959 guns"),
    (USSR, "qk-tanks", "4736", "4736", "4,736 tanks"),
    (USSR, "qk-aircraft", "3300", "3300", "3,300 aircraft"),
]

LOSSES = [
    (POLAND, "qk-dead-or-missing", "3000", "7000", "3,000–7,000 dead or missing,[1][4]"),
    (POLAND, "qk-wounded", None, "20000", "up to 20,000 wounded.[1][Note 3]"),
    (POLAND, "qk-captured", "320000", "450000", "320,000-450,000 captured[5]"),
    (USSR, "qk-killed-or-missing", "1475", "3000", "1,475–3,000 killed or missing"),
    (USSR, "qk-wounded", "2383", "10000", "2,383–10,000 wounded.[Note 4]"),
]


def _check_figures(rows, expected):
    found = _figures(rows)
    for side, kind, low, high, line in expected:
        in_article(line)
        assert (side, kind, low, high) in found, f"missing {line!r}"
        assert found[(side, kind, low, high)] == markers(line), line


def check_strength(rows):
    _check_figures(rows, STRENGTH)


def check_losses(rows):
    _check_figures(rows, LOSSES)
    # The lead's "Some 320,000 Polish prisoners of war" is a second, approximate claim.
    approximate = [r for r in rows if r.get("approximate") == "true"]
    assert [(r["minimum"], r["maximum"]) for r in approximate] == [("320000", "320000")]
    in_article("Some 320,000 Polish prisoners of war had been captured.[4][9]")


def check_who_signed_what(rows):
    agreements = {local(r["agreement"]): r for r in rows}
    pact = agreements["MolotovRibbentropPact"]
    assert pact["date"] == "1939-08-23"
    assert set(pact["parties"].split(", ")) == {"Nazi Germany", "Soviet Union"}
    in_article("Molotov–Ribbentrop Pact with Adolf Hitler, signed on 23 August 1939")
    border = agreements["PolishSovietBorderAgreement1945"]
    assert border["date"] == "1945-08-16"
    assert set(border["parties"].split(", ")) == {"People's Republic of Poland", "Soviet Union"}
    assert "Soviet Union" in border["signatories"]
    in_article("the USSR signed a new border agreement", "on 16 August 1945")
    assert local(agreements["SecretProtocol"]["partOf"]) == "MolotovRibbentropPact"
    in_article("The non-aggression pact contained a secret protocol")


def check_from_pact_to_border(rows):
    order = [local(r["event"]) for r in rows]
    milestones = ["MolotovRibbentropPactSigning", "GermanInvasionOfPoland",
                  "SovietInvasionOfPoland", "SovietAnnexationOfEasternPoland",
                  "RedArmyReconquest1944", "BorderAgreement1945Signing"]
    assert [e for e in order if e in milestones] == milestones
    assert order[0] == "MolotovRibbentropPactSigning"
    assert order[-1] == "BorderAgreement1945Signing"
    dates = {local(r["event"]): r["start"] for r in rows}
    assert dates["GermanInvasionOfPoland"] == "1939-09-01"
    assert dates["SovietAnnexationOfEasternPoland"] == "1939-11"
    in_article("on 1 September 1939", "In November 1939 the Soviet government ostensibly annexed",
               "reconquered it in the summer of 1944")
    pact = next(r for r in rows if local(r["event"]) == "MolotovRibbentropPactSigning")
    assert "German invasion of Poland" in pact["ledTo"]
    in_article("One week after the signing of the Molotov–Ribbentrop Pact, German forces invaded")


def check_towns(rows):
    assert {local(r["city"]) for r in rows} == {"Dubno", "Luck", "WlodzimierzWolynski"}
    in_article("Dubno, Łuck and Włodzimierz Wołyński let the Red Army in peacefully")
    assert all("in order to fight the Germans" in r["belief"] for r in rows)
    in_article("convinced that it was marching on in order to fight the Germans")


def check_soviet_claims(rows):
    claims = {local(r["claimant"]): r for r in rows}
    government = claims["SovietGovernment"]
    assert "protect the Ukrainians and Belarusians" in government["proposition"]
    in_article("The Soviet government announced it was acting to protect the Ukrainians and "
               "Belarusians")
    assert markers(government["sources"]) == markers("[24][25][26][27]")
    in_article("could no longer guarantee the security of its own citizens.[24][25][26][27]")
    assert "collapsed in the face of the Nazi German attack" in \
        claims["SovietPropaganda"]["proposition"]
    in_article("according to Soviet propaganda – had collapsed in the face of the Nazi German")


def check_who_said_what(rows):
    by_claimant = {local(r["claimant"]): r["proposition"] for r in rows if "claimant" in r}
    assert "like an ally" in by_claimant["JuliuszRommel"]
    in_article("General Juliusz Rómmel of the Polish Army issued an unauthorised order to treat "
               "them like an ally")
    assert "no longer feasible" in by_claimant["PolishGovernment"]
    in_article("the defence of the Romanian Bridgehead was no longer feasible")
    assert "SovietGovernment" in by_claimant


def check_every_fact_with_its_quote(rows):
    assert len(rows) >= 50
    for row in rows:
        in_article(row["quote"])
    starts = [r for r in rows if local(r["subject"]) == "SovietInvasionOfPoland"
              and r["predicate"] == KG + "startDate"]
    assert any("17 September" in r["quote"] for r in starts)


def check_where_dated(rows):
    assert rows, "no evidence for the start date"
    for row in rows:
        assert ARTICLE[int(row["start"]):int(row["end"])] == row["quote"]
        assert "17 September" in row["quote"]
    assert {"Infobox", "Lead"} <= {r["section"] for r in rows}


def check_wikidata(rows):
    links = {(local(r["entity"]), r["qid"], r["match"]) for r in rows}
    assert ("Lwow", "Q36036", "exact") in links
    assert ("SecondPolishRepublic", "Q207272", "exact") in links
    assert ("SecondPolishRepublic", "Q36", "close") in links
    for row in rows:
        assert re.fullmatch(re.escape(WIKIDATA_ENTITY) + r"Q\d+", row["wikidata"])
        assert row["wikidata"].endswith("/" + row["qid"])
    in_article("Lwów", "Second Polish Republic")


def check_other_languages(rows):
    titles = {r["language"]: r["title"] for r in rows}
    assert titles == {"id": "Invasi Soviet ke Polandia", "sh": "Sovjetska invazija Poljske",
                      "tt": "ЭККГ Польша явы"}
    for title in titles.values():
        in_article(f": {title}")


def check_territory(rows):
    changes = {(local(r["place"]), r["change"], local(r["to"])) for r in rows}
    assert {
        ("Kresy", "annexed by", "SovietUnion"),
        ("BialystokRegion", "returned to", "PeoplesRepublicOfPoland"),
        ("GaliciaEastOfSan", "returned to", "PeoplesRepublicOfPoland"),
        ("SouthernEastPrussia", "ceded to", "PeoplesRepublicOfPoland"),
        ("TerritoriesEastOfOderNeisse", "ceded to", "PeoplesRepublicOfPoland"),
    } <= changes
    # "most of the conquered annexed territories" went into the two republics: a part of
    # Kresy, not Kresy itself.
    parts = {(local(r["place"]), r["change"], local(r["to"]), local(r["partOf"]),
              r["qualifier"]) for r in rows if "partOf" in r and "qualifier" in r}
    assert {
        ("MostOfTheAnnexedTerritories", "incorporated into", "UkrainianSSR", "Kresy", "most"),
        ("MostOfTheAnnexedTerritories", "incorporated into", "ByelorussianSSR", "Kresy", "most"),
        ("AlmostAllOfTheSovietPactPortion", "ceded to", "SovietUnion", "Kresy", "almost all"),
    } <= parts
    assert ("Kresy", "incorporated into", "UkrainianSSR") not in changes
    in_article("Territory of Eastern Poland (Kresy) annexed to the Soviet Union",
               "the region around Białystok and a minor part of Galicia east of the San river "
               "around Przemyśl, which were later returned to Poland",
               "compensating the People's Republic of Poland with the southern half of East "
               "Prussia and territories east of the Oder–Neisse line")


def check_deportations(rows):
    assert {local(r["organiser"]) for r in rows} == {"NKVD"}
    assert {(r["from"], r["to"]) for r in rows} == {("1939", "1941")}
    in_article("The Soviet NKVD sent hundreds of thousands of people from eastern Poland",
               "in four major waves of deportation between 1939 and 1941")
    assert all("Siberia" in r["destinations"] for r in rows)
    figures = {local(r["figure"]): r for r in rows}
    assert (figures["qk-deportation-waves"]["minimum"],
            figures["qk-deportation-waves"]["maximum"]) == ("4", "4")
    assert figures["qk-people"]["approximate"] == "true"  # "hundreds of thousands"


def check_timeline(rows):
    dated = {local(r["event"]): r for r in rows}
    assert dated["SovietInvasionOfPoland"]["start"] == "1939-09-17"
    # The summer of 1941 dates the driving out of the Soviet forces "in the course of
    # Operation Barbarossa", not the operation, which the article does not date.
    driven_out = dated["SovietForcesDrivenOut1941"]
    assert (driven_out["start"], driven_out["season"]) == ("1941", "summer")
    assert "OperationBarbarossa" not in dated
    in_article("until the summer of 1941, when they were driven out by the German army in the "
               "course of Operation Barbarossa")
    starts = [r["start"] for r in rows]
    assert starts == sorted(starts)


def check_kinds_of_things(rows):
    counts = {local(r["class"]): int(r["count"]) for r in rows}
    # Every figure line of the infobox ("4,959 guns", "up to 20,000 wounded.") is a claim.
    infobox = ARTICLE.split("\n\n")[1]
    figure_lines = [line for line in infobox.splitlines() if re.match(r"\d|up to ", line)]
    assert len(figure_lines) == 13
    assert counts["QuantityClaim"] >= len(figure_lines)
    assert counts["City"] >= 3 and counts["Invasion"] >= 1
    assert all(n > 0 for n in counts.values())


def check_references(rows):
    for row in rows:
        in_article(row["marker"])
        assert int(row["claims"]) > 0
    counts = [int(r["claims"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def check_invasion_as_turtle(response):
    assert response.headers["Content-Type"].startswith("text/turtle")
    triples = {q.triple for q in ox.parse(response.content, ox.RdfFormat.TURTLE)}
    invasion = ox.NamedNode(RESOURCE + "SovietInvasionOfPoland")
    date = ox.Literal("1939-09-17", datatype=ox.NamedNode(XSD + "date"))
    assert ox.Triple(invasion, ox.NamedNode(KG + "startDate"), date) in triples
    assert all(t.subject == invasion for t in triples)


def check_undated(rows):
    why = {local(r["event"]): r["why"] for r in rows}
    assert "opening of hostilities" in why["RedArmyPeacefulEntry"]
    in_article("At the opening of hostilities several Polish cities")
    assert "YaltaConference" in why


def check_unlinked(rows):
    found = {local(r["entity"]): r for r in rows}
    # The same entities as `kg links export --unlinked` lists from data/triples.ttl.
    graph = links.read_graph(TRIPLES_FILE, *sorted(ONTOLOGY_DIR.glob("*.ttl")))
    assert set(found) == {e.local_name for e in unlinked.read_unlinked(graph)}
    assert not set(found) & {link.resource for link in curate.load_wikidata_links()}
    assert (found["Kresy"]["label"], found["Kresy"]["classes"]) == ("Kresy", "Region")
    assert found["JuliuszRommel"]["classes"] == "Person"
    in_article("Territory of Eastern Poland (Kresy)", "General Juliusz Rómmel")
    assert {"Lwow", "SovietUnion", "SecondPolishRepublic"}.isdisjoint(found)
    labels = [r["label"].lower() for r in rows]
    assert labels == sorted(labels)


CHECKS = {
    "01-start-and-end": check_start_and_end,
    "02-strength": check_strength,
    "03-losses": check_losses,
    "04-who-signed-what": check_who_signed_what,
    "05-from-pact-to-border": check_from_pact_to_border,
    "06-towns-that-let-the-red-army-in": check_towns,
    "07-soviet-claims": check_soviet_claims,
    "08-who-believed-or-ordered-what": check_who_said_what,
    "09-every-fact-with-its-quote": check_every_fact_with_its_quote,
    "10-where-the-article-dates-the-invasion": check_where_dated,
    "11-wikidata-links": check_wikidata,
    "13-other-languages": check_other_languages,
    "14-territory": check_territory,
    "15-deportations": check_deportations,
    "16-timeline": check_timeline,
    "17-kinds-of-things": check_kinds_of_things,
    "18-references": check_references,
    "20-undated-events": check_undated,
    "21-entities-without-wikidata-links": check_unlinked,
}
#: Examples whose answer is not a table of solutions.
RAW_CHECKS = {"19-invasion-as-turtle": check_invasion_as_turtle}
FEDERATED = "12-federated-wikidata"


def test_there_are_at_least_15_examples_each_with_a_title():
    assert len(EXAMPLES) >= 15
    assert all(e.title.endswith("?") or e.title[0].isupper() for e in EXAMPLES.values())


def test_every_example_has_a_check():
    assert set(EXAMPLES) == set(CHECKS) | set(RAW_CHECKS) | {FEDERATED}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_example_answers_as_the_article_does(article_server, name):
    rows = rows_of(article_server, name)
    assert rows, f"{name} found nothing"
    CHECKS[name](rows)


@pytest.mark.parametrize("name", sorted(RAW_CHECKS))
def test_graph_example_answers_as_the_article_does(article_server, name):
    response = article_server.query(EXAMPLES[name].query, accept="text/turtle")
    assert response.status_code == 200, response.text
    RAW_CHECKS[name](response)


def test_federated_example_is_marked_and_refused_until_the_operator_allows_it(article_server):
    example = EXAMPLES[FEDERATED]
    assert "SERVICE" in example.needs and "KG_ALLOWED_SERVICES" in example.needs
    response = article_server.query(example.query)
    assert response.status_code == 400
    assert "SERVICE <https://query.wikidata.org/sparql> is not allowed" in response.text
    assert "KG_ALLOWED_SERVICES" in response.text
