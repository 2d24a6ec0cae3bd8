"""Questions a reader asks of the graph, in SPARQL, answered from data/triples.ttl alone.

No ontology and no inference: the plain release file in an in-memory pyoxigraph
store must already answer them, and the answers must be what the article says.
"""

import pyoxigraph as ox
import pytest

from kg import iris

PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in iris.PREFIXES.items())


@pytest.fixture(scope="module")
def ask():
    store = ox.Store()
    store.load(path=str(iris.TRIPLES_FILE), format=ox.RdfFormat.TURTLE)

    def ask(query):
        """Rows as tuples of plain values (IRIs shortened to their kgr: local name)."""
        solutions = store.query(PREFIXES + query)
        names = [v.value for v in solutions.variables]
        return sorted(
            tuple(
                None if row[n] is None
                else row[n].value.removeprefix(iris.RESOURCE)
                for n in names
            )
            for row in solutions
        )

    return ask


def test_when_did_the_invasion_start_and_end(ask):
    assert ask("""
        SELECT ?start ?end WHERE {
          kgr:SovietInvasionOfPoland kg:startDate ?start ; kg:endDate ?end .
          FILTER(datatype(?start) = xsd:date && datatype(?end) = xsd:date)
        }""") == [("1939-09-17", "1939-10-06")]


def test_how_many_tanks_did_the_soviet_side_have(ask):
    assert ask("""
        SELECT ?min ?max ?side WHERE {
          ?claim a kg:QuantityClaim ; kg:quantityKind kgr:qk-tanks ; kg:side ?side ;
                 kg:minimum ?min ; kg:maximum ?max .
        }""") == [("4736", "4736", "SovietUnion")]


def test_who_pursued_the_pact_and_when_it_was_signed(ask):
    # The article says Stalin pursued the pact with Hitler and when it was signed;
    # it names no signatory, and the graph invents none.
    assert ask("""
        SELECT ?who ?signed WHERE {
          ?talks kg:agreement kgr:MolotovRibbentropPact ; kg:participant ?person .
          ?person a kg:Person ; rdfs:label ?who .
          ?signing a kg:Signing ; kg:agreement kgr:MolotovRibbentropPact ; kg:pointInTime ?signed .
        }""") == [("Adolf Hitler", "1939-08-23"), ("Josef Stalin", "1939-08-23")]
    assert ask("SELECT ?s WHERE { kgr:MolotovRibbentropPact kg:signatory ?s }") == []
    assert ask("SELECT ?p WHERE { kgr:MolotovRibbentropPact kg:party ?p }") == [
        ("NaziGermany",), ("SovietUnion",)]


def test_which_towns_let_the_red_army_in(ask):
    assert ask("""
        SELECT ?town WHERE {
          ?entry kg:participant kgr:RedArmy ; kg:location ?place .
          ?place a kg:City ; rdfs:label ?town .
        }""") == [("Dubno",), ("Włodzimierz Wołyński",), ("Łuck",)]


def test_what_was_annexed_by_whom(ask):
    # "... ended on 6 October 1939 with the two-way division and annexation of the entire
    # territory of the Second Polish Republic by Germany and the Soviet Union": each state
    # annexed a part, not the whole, so the Second Polish Republic is not kg:annexedBy
    # either; the division is kg:qualifier "two-way division". The Soviet part is Kresy.
    assert ask("""
        SELECT ?place ?by WHERE { ?place kg:annexedBy ?by }""") == [("Kresy", "SovietUnion")]
    assert ask("""
        SELECT ?by ?how WHERE { ?division kg:territory kgr:SecondPolishRepublic ;
                                          kg:participant ?by ; kg:qualifier ?how }""") == [
        ("NaziGermany", "two-way division"), ("SovietUnion", "two-way division")]
    # "The Soviet Union enclosed most of the conquered annexed territories into the
    # Ukrainian Soviet Socialist Republic and the Byelorussian Soviet Socialist Republic":
    # a part of Kresy (kg:qualifier "most") went into the two republics, not all of it.
    assert ask("""
        SELECT ?into WHERE { kgr:Kresy kg:incorporatedInto ?into }""") == []
    assert ask("""
        SELECT ?into ?how WHERE { ?part kg:partOf kgr:Kresy ; kg:incorporatedInto ?into ;
                                        kg:qualifier ?how }""") == [
        ("ByelorussianSSR", "most"), ("UkrainianSSR", "most")]
    assert ask("""
        SELECT ?place ?to WHERE { ?place kg:returnedTo ?to }""") == [
        ("BialystokRegion", "PeoplesRepublicOfPoland"),
        ("GaliciaEastOfSan", "PeoplesRepublicOfPoland"),
    ]


def test_which_figures_are_contested_and_by_which_sources(ask):
    rows = ask("""
        SELECT ?kind ?side ?min ?max ?source WHERE {
          ?claim kg:quantityKind ?kind ; kg:side ?side ; kg:minimum ?min ; kg:maximum ?max .
          FILTER(?min < ?max)
          OPTIONAL { ?claim kg:accordingTo/rdfs:label ?source }
        }""")
    ranges = {}
    for kind, side, low, high, cited in rows:
        ranges.setdefault((kind, side, low, high), set()).update({cited} - {None})
    assert ranges == {
        # "320,000-450,000 captured[5]:85": page 85 of reference [5].
        ("qk-captured", "SecondPolishRepublic", "320000", "450000"): {"[5]:85"},
        ("qk-dead-or-missing", "SecondPolishRepublic", "3000", "7000"): {"[1]", "[4]"},
        ("qk-killed-or-missing", "SovietUnion", "1475", "3000"): set(),
        ("qk-personnel", "SovietUnion", "600000", "800000"): {"[2]", "[3]"},
        ("qk-wounded", "SovietUnion", "2383", "10000"): {"[Note 4]"},
    }
    # Two sources disagree on the Polish prisoners: the lead's "some 320,000" [4][9]
    # against the infobox's 320,000-450,000 [5]:85.
    assert ask("""
        SELECT ?min ?max ?approx WHERE {
          ?claim kg:quantityKind kgr:qk-captured ; kg:side kgr:SecondPolishRepublic ;
                 kg:minimum ?min ; kg:maximum ?max .
          OPTIONAL { ?claim kg:approximate ?approx }
        }""") == [("320000", "320000", "true"), ("320000", "450000", None)]
    # Bounds the article gives on one side only stay one-sided.
    assert ask("""
        SELECT ?kind ?min ?max WHERE {
          ?claim kg:quantityKind ?kind .
          OPTIONAL { ?claim kg:minimum ?min } OPTIONAL { ?claim kg:maximum ?max }
          FILTER(!BOUND(?min) || !BOUND(?max))
        }""") == [
        ("qk-brigades", "11", None),
        ("qk-divisions", "33", None),
        ("qk-people", "200000", None),
        ("qk-wounded", None, "20000"),
    ]


def test_the_article_title_in_other_languages(ask):
    assert ask("""
        SELECT ?lang ?title WHERE {
          kgr:SovietInvasionOfPoland rdfs:label ?title .
          BIND(lang(?title) AS ?lang)
        }""") == [
        ("en", "Soviet invasion of Poland"),
        ("id", "Invasi Soviet ke Polandia"),
        ("sh", "Sovjetska invazija Poljske"),
        ("tt", "ЭККГ Польша явы"),
    ]


def test_what_did_the_soviet_side_say_and_who_said_it(ask):
    # "The Soviet government announced it was acting to protect the Ukrainians and
    # Belarusians who lived in the eastern part of Poland, ...": "it" is the sentence's
    # subject, the Soviet government (was "The Soviet Union was acting ...").
    assert ask("""
        SELECT ?claimant ?proposition WHERE {
          ?claim a kg:PropositionClaim ; kg:claimant ?claimant ; kg:proposition ?proposition .
          FILTER(?claimant IN (kgr:SovietGovernment, kgr:SovietPropaganda))
        }""") == [
        ("SovietGovernment", "The Soviet government was acting to protect the Ukrainians and "
         "Belarusians who lived in the eastern part of Poland."),
        ("SovietPropaganda", "The Polish state had collapsed in the face of the Nazi German "
         "attack and could no longer guarantee the security of its own citizens."),
    ]


def test_dates_are_only_as_precise_as_the_article(ask):
    assert ask("""
        SELECT ?when WHERE { kgr:SovietAnnexationOfEasternPoland kg:pointInTime ?when
                             FILTER(datatype(?when) = xsd:gYearMonth) }""") == [("1939-11",)]
    assert ask("""
        SELECT ?end ?season WHERE { kgr:SovietOccupationOfEasternPoland kg:endDate ?end ;
                                    kg:timeQualifier ?season
                                    FILTER(datatype(?end) = xsd:gYear) }""") == [("1941", "summer")]
    assert ask("""
        SELECT ?start ?end WHERE { kgr:SovietDeportations1939to1941 kg:startDate ?start ;
                                   kg:endDate ?end }""") == [("1939", "1941")]
    undated = ask("SELECT ?e WHERE { ?e kg:undatedBecause ?why }")
    assert ("YaltaConference",) in undated and ("RommelOrder",) in undated


def test_every_fact_about_the_invasion_with_its_quote_in_one_query(ask):
    rows = ask("""
        SELECT ?property ?value ?quote ?section ?start WHERE {
          ?statement rdf:subject kgr:SovietInvasionOfPoland ; rdf:predicate ?property ;
                     rdf:object ?value ; prov:wasDerivedFrom ?evidence .
          ?evidence kg:section ?section ;
                    oa:hasSelector [ oa:exact ?quote ] , [ oa:start ?start ] .
        }""")
    facts = {(p.rsplit("#", 1)[-1], v, q, s) for p, v, q, s, _ in rows}
    assert ("startDate", "1939-09-17", "17 September – 6 October 1939", "Infobox") in facts
    assert ("startDate", "1939-09-17", "On 17 September 1939 the Soviet Red Army invaded the "
            "Kresy regions in accordance with the secret protocol.", "Background") in facts
    assert ("inAccordanceWith", "SecretProtocol", "On 17 September 1939 the Soviet Red Army "
            "invaded the Kresy regions in accordance with the secret protocol.",
            "Background") in facts
    assert ("label", "Invasi Soviet ke Polandia", "Bahasa Indonesia: Invasi Soviet ke Polandia",
            "Other languages") in facts
    assert len({(p, v) for p, v, *_ in facts}) >= 25


def test_the_readme_example_returns_facts_with_their_quotes():
    readme = (iris.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    query = readme.split("## The data", 1)[1].split("```sparql", 1)[1].split("```", 1)[0]
    store = ox.Store()
    store.load(path=str(iris.TRIPLES_FILE), format=ox.RdfFormat.TURTLE)
    rows = {
        (row["property"].value.rsplit("#", 1)[-1], row["value"].value, row["quote"].value)
        for row in store.query(query)
    }
    assert ("startDate", "1939-09-17", "17 September – 6 October 1939") in rows
    assert ("endDate", "1939-10-06", "17 September – 6 October 1939") in rows


def test_which_republics_received_part_of_kresy(ask):
    # "The Soviet Union enclosed most of the conquered annexed territories into the
    # Ukrainian Soviet Socialist Republic and the Byelorussian Soviet Socialist Republic."
    assert ask("""
        SELECT ?republic ?part ?how WHERE {
          ?part kg:partOf kgr:Kresy ; kg:incorporatedInto ?republic ; kg:qualifier ?how .
        }""") == [
        ("ByelorussianSSR", "MostOfTheAnnexedTerritories", "most"),
        ("UkrainianSSR", "MostOfTheAnnexedTerritories", "most"),
    ]
    # The article's words for that part are its label, and a span states it.
    assert ask("""
        SELECT ?label ?quote WHERE {
          kgr:MostOfTheAnnexedTerritories rdfs:label ?label .
          ?st rdf:subject kgr:MostOfTheAnnexedTerritories ; rdf:predicate rdfs:label ;
              prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
        }""") == [("most of the conquered annexed territories",
                   "The Soviet Union enclosed most of the conquered annexed territories into the "
                   "Ukrainian Soviet Socialist Republic and the Byelorussian Soviet Socialist "
                   "Republic.")]


def test_how_long_between_the_pact_and_the_german_invasion(ask):
    # "One week after the signing of the Molotov–Ribbentrop Pact, German forces invaded
    # Poland ... on 1 September 1939": one week, approximate (23 August to 1 September is
    # nine days), in the article's unit; no count of days the article does not write.
    assert ask("""
        SELECT ?min ?max ?unit ?approximate WHERE {
          ?claim kg:about kgr:MolotovRibbentropPactSigning, kgr:GermanInvasionOfPoland ;
                 kg:quantityKind/rdfs:label ?unit ; kg:minimum ?min ; kg:maximum ?max ;
                 kg:approximate ?approximate .
        }""") == [("1", "1", "weeks", "true")]
    assert ask("""
        SELECT ?claim WHERE { ?claim kg:about kgr:MolotovRibbentropPactSigning ;
                                     kg:minimum|kg:maximum 7 }""") == []
    assert ask("""
        SELECT ?signed ?invaded WHERE {
          kgr:MolotovRibbentropPactSigning kg:pointInTime ?signed .
          kgr:GermanInvasionOfPoland kg:startDate ?invaded }""") == [("1939-08-23", "1939-09-01")]


def test_which_labels_are_the_articles_own_words(ask):
    # "... with the United Kingdom, France, Poland, and Romania ...": the article says
    # "Romania"; "Kingdom of Romania" is the curator's label, inferred from that span.
    rows = ask("""
        SELECT ?property ?label ?how ?quote WHERE {
          VALUES ?property { rdfs:label skos:altLabel }
          kgr:KingdomOfRomania ?property ?label FILTER(lang(?label) = "en")
          ?st rdf:subject kgr:KingdomOfRomania ; rdf:predicate ?property ; rdf:object ?label .
          { ?st prov:wasDerivedFrom ?ev BIND("the article says" AS ?how) }
          UNION
          { ?st prov:wasGeneratedBy kgr:activity-curation ; prov:used ?ev
            BIND("the curator inferred, from" AS ?how) }
          ?ev oa:hasSelector/oa:exact ?quote .
          FILTER(STRSTARTS(?quote, "Several months before"))
        }""")
    assert {(p.rsplit("#", 1)[-1], label, how) for p, label, how, _ in rows} == {
        ("altLabel", "Romania", "the article says"),
        ("label", "Kingdom of Romania", "the curator inferred, from"),
    }
    # Every label the article states is written in its quote, case and accents aside.
    stated = ask("""
        SELECT ?label ?quote WHERE {
          VALUES ?property { rdfs:label skos:altLabel }
          ?st rdf:predicate ?property ; rdf:object ?label ;
              prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
        }""")
    assert len(stated) > 40
    assert all(label.casefold() in quote.casefold() for label, quote in stated
               if label.isascii() and quote.isascii()), stated


def test_the_readme_query_for_inferred_facts_returns_the_reason_and_the_words():
    readme = (iris.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    query = readme.split("### Provenance", 1)[1].split("```sparql")[2].split("```", 1)[0]
    store = ox.Store()
    store.load(path=str(iris.TRIPLES_FILE), format=ox.RdfFormat.TURTLE)
    rows = {
        (row["subject"].value.removeprefix(iris.RESOURCE), row["value"].value, row["quote"].value)
        for row in store.query(query)
    }
    assert ("KingdomOfRomania", "Kingdom of Romania", next(
        quote for _, _, quote in rows if quote.startswith("Several months before"))) in rows
    assert ("claim-people-deported", "200000", "The Soviet NKVD sent hundreds of thousands of "
            "people from eastern Poland to Siberia and other remote parts of the Soviet Union in "
            "four major waves of deportation between 1939 and 1941.") in rows


def test_what_the_curators_reading_of_the_german_occupation_rests_on(ask):
    # "Soviet forces occupied eastern Poland until the summer of 1941, when they were driven
    # out ..." and the next sentence, "The area was under German occupation until the Red
    # Army reconquered it in the summer of 1944.": the start of the German occupation is
    # the curator's reading of both, and both are the spans it used.
    rows = ask("""
        SELECT ?quote WHERE {
          ?st rdf:subject kgr:GermanOccupationOfEasternPoland ; rdf:predicate kg:startDate ;
              prov:wasGeneratedBy kgr:activity-curation ; prov:used/oa:hasSelector/oa:exact ?quote .
        }""")
    assert [quote[:40] for (quote,) in rows] == [
        "Soviet forces occupied eastern Poland un", "The area was under German occupation unt"]


def test_what_the_summer_of_1941_dates(ask):
    # "... until the summer of 1941, when they were driven out by the German army in the
    # course of Operation Barbarossa.": the season dates the driving out, an event within
    # the operation; the article gives Operation Barbarossa itself no date.
    assert ask("""
        SELECT ?event ?whole ?by WHERE {
          ?event kg:pointInTime "1941"^^xsd:gYear ; kg:timeQualifier "summer" ;
                 kg:partOf ?whole ; kg:participant ?by .
        }""") == [("SovietForcesDrivenOut1941", "OperationBarbarossa", "GermanArmy")]
    assert ask("""
        SELECT ?when WHERE { kgr:OperationBarbarossa kg:pointInTime|kg:startDate ?when }""") == []


def test_how_many_major_waves_of_deportation(ask):
    # "... in four major waves of deportation between 1939 and 1941.": four major waves,
    # not four waves in all.
    assert ask("""
        SELECT ?kind ?min ?max WHERE {
          ?claim kg:about kgr:SovietDeportations1939to1941 ; kg:minimum ?min ; kg:maximum ?max ;
                 kg:quantityKind/rdfs:label ?kind .
        }""") == [("major waves of deportation", "4", "4")]
