"""Make a graph of our own shape at a given size, for the scale measurements.

    .venv/bin/python bench/generate.py --triples 1000000 --out var/bench/scale-1m.ttl

The shape is that of ``data/triples.ttl``: events of the ontology's event classes with
labels, dates, places, participants and sequence; places in regions; actors; and every
fact with its ``rdf:Statement`` node derived from an ``oa:SpecificResource`` on the
article with a quote selector and a position selector (one evidence node per entity, as
one sentence of the article states several facts). About one triple in seven is a fact,
the rest is provenance, as in the real graph. The output is deterministic for a size.
"""

import argparse
import hashlib
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox

from kg.iris import ONTOLOGY_NS, PREFIXES, RESOURCE

RDF, RDFS, XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]
PROV, OA = PREFIXES["prov"], PREFIXES["oa"]
EVENT_CLASSES = ("Invasion", "MilitaryOperation", "Capture", "Deportation", "Occupation",
                 "Annexation", "Conference", "Signing", "Evacuation", "Withdrawal")
ACTOR_CLASSES = ("State", "ArmedForce", "MilitaryUnit", "Government", "Person")
SECTIONS = ("Infobox", "Lead", "Background", "Invasion", "Aftermath")


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def kg(name: str) -> ox.NamedNode:
    return n(ONTOLOGY_NS + name)


def kgr(name: str) -> ox.NamedNode:
    return n(RESOURCE + name)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=n(XSD + "integer"))


def _hash(*parts) -> str:
    return hashlib.sha256(" ".join(map(str, parts)).encode()).hexdigest()[:12]


def with_provenance(subject: ox.NamedNode, facts, rng: random.Random, offset: int):
    """The facts about one entity, their statement nodes and the evidence they share."""
    evidence = kgr(f"ev-{_hash(subject, offset)}")
    quote, position = n(evidence.value + "-quote"), n(evidence.value + "-pos")
    words = " ".join(rng.choice(("troops", "crossed", "the", "border", "city", "army",
                                 "Soviet", "Polish", "occupied", "1939")) for _ in range(8))
    yield ox.Triple(evidence, n(RDF + "type"), n(OA + "SpecificResource"))
    yield ox.Triple(evidence, kg("section"), ox.Literal(rng.choice(SECTIONS)))
    yield ox.Triple(evidence, n(OA + "hasSource"), kgr("article"))
    yield ox.Triple(evidence, n(OA + "hasSelector"), quote)
    yield ox.Triple(evidence, n(OA + "hasSelector"), position)
    if rng.random() < 0.3:
        yield ox.Triple(evidence, kg("citation"), ox.Literal(f"[{rng.randint(1, 120)}]"))
    yield ox.Triple(quote, n(RDF + "type"), n(OA + "TextQuoteSelector"))
    yield ox.Triple(quote, n(OA + "exact"), ox.Literal(words))
    yield ox.Triple(quote, n(OA + "prefix"), ox.Literal(words[::-1][:30]))
    yield ox.Triple(quote, n(OA + "suffix"), ox.Literal(words[:30]))
    yield ox.Triple(position, n(RDF + "type"), n(OA + "TextPositionSelector"))
    yield ox.Triple(position, n(OA + "start"), integer(offset))
    yield ox.Triple(position, n(OA + "end"), integer(offset + len(words)))
    for predicate, obj in facts:
        fact = ox.Triple(subject, predicate, obj)
        statement = kgr(f"stmt-{_hash(fact)}")
        yield fact
        yield ox.Triple(statement, n(RDF + "type"), n(RDF + "Statement"))
        yield ox.Triple(statement, n(RDF + "subject"), subject)
        yield ox.Triple(statement, n(RDF + "predicate"), predicate)
        yield ox.Triple(statement, n(RDF + "object"), obj)
        yield ox.Triple(statement, n(PROV + "wasDerivedFrom"), evidence)


def graph(triples: int, seed: int = 1939):
    """About ``triples`` triples (whole entities, so a few more): places, actors, events."""
    rng = random.Random(seed)
    places = max(10, triples // 600)
    actors = max(10, triples // 1200)
    written = 0
    label = n(RDFS + "label")
    a = n(RDF + "type")

    def entity(subject, facts):
        nonlocal written
        for triple in with_provenance(subject, facts, rng, written):
            written += 1
            yield triple

    for i in range(places):
        region = kgr(f"Region{i // 10}")
        yield from entity(kgr(f"Place{i}"), [(a, kg("City")), (label, ox.Literal(
            f"Place {i}", language="en")), (kg("partOf"), region)])
    for i in range(actors):
        yield from entity(kgr(f"Actor{i}"), [(a, kg(rng.choice(ACTOR_CLASSES))), (label, ox.Literal(
            f"Actor {i}", language="en"))])
    i = 0
    while written < triples:
        day = date(1939, 8, 1) + timedelta(days=i % 3000)
        facts = [
            (a, kg(rng.choice(EVENT_CLASSES))),
            (label, ox.Literal(f"Event {i}", language="en")),
            (kg("startDate"), ox.Literal(day.isoformat(), datatype=n(XSD + "date"))),
            (kg("location"), kgr(f"Place{rng.randrange(places)}")),
            (kg("participant"), kgr(f"Actor{rng.randrange(actors)}")),
            (kg("participant"), kgr(f"Actor{rng.randrange(actors)}")),
        ]
        if i:
            facts.append((kg("follows"), kgr(f"Event{i - 1}")))
        yield from entity(kgr(f"Event{i}"), facts)
        i += 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, required=True, help="about this many triples")
    parser.add_argument("--out", type=Path, required=True, help="Turtle file to write")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ox.serialize(graph(args.triples), args.out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
