"""Every fact data/triples.ttl says the article states is written in its span.

Read with rdflib, independently of ``kg build``'s own check (kg.build.support): for each
statement that is ``prov:wasDerivedFrom`` an evidence span, the span's exact words (and
its reference markers) must write every literal of the fact and name every resource it
relates; and a span holding a qualifying word ("most", "some", "ostensibly") must carry
it into the data or say why not (``kg:unqualifiedBecause``).
"""

import re
import unicodedata
from collections import defaultdict

import pytest
import rdflib
from rdflib import RDF, RDFS, SKOS, Literal, URIRef

from kg import iris

KG = rdflib.Namespace(iris.ONTOLOGY_NS)
KGR = rdflib.Namespace(iris.RESOURCE)
OA = rdflib.Namespace(iris.PREFIXES["oa"])
PROV = rdflib.Namespace(iris.PREFIXES["prov"])
XSD = rdflib.Namespace(iris.PREFIXES["xsd"])
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "sixteen": 16, "twenty": 20}
#: The qualifying words of issue 11, and a few of the same kind.
HEDGES = ["almost all", "most", "part of", "parts of", "minor part", "half", "some", "several",
          "about", "around", "up to", "approximately", "nearly", "one week",
          "hundreds of thousands", "ostensibly", "mock", "according to", "two-way",
          "allegedly", "so-called"]
#: What carries a qualifying word into the data, besides a literal that writes it.
CARRIERS = {KG.qualifier, KG.approximate, KG.partOf, KG.claimant}


def plain(text: str) -> str:
    """Lower case, no accents (ł too), one kind of dash, single spaces."""
    text = re.sub("[\u2010-\u2014\u2212]", "-", text.casefold()).replace("ł", "l")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.split())


def written(phrase: str, span: str) -> bool:
    """``phrase`` occurs in ``span`` as whole words, or with a plural ending, or in the
    singular ("weeks" in "One week")."""
    phrase, span = plain(phrase), plain(span)
    stem = phrase[:-1] if phrase.endswith("s") else phrase
    return re.search(rf"(?<!\w)(?:{re.escape(phrase)}|{re.escape(stem)}(?:s|es)?)(?!\w)",
                     span) is not None


def numbers_in(span: str) -> set[float]:
    """The numbers a span writes: "4,736", "13.5 million", "sixteen"."""
    found = set()
    for digits, scale in re.findall(r"(\d[\d,]*(?:\.\d+)?)(?:\s+(million|thousand))?", span):
        value = float(digits.replace(",", ""))
        found |= {value, value * {"": 1, "million": 1e6, "thousand": 1e3}[scale]}
    found |= {float(n) for w, n in WORDS.items() if re.search(rf"\b{w}\b", plain(span))}
    return found


def literal_written(value: Literal, span: str) -> bool:
    if value.datatype in (XSD.integer, XSD.decimal):
        return float(value) in numbers_in(span)
    if value.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear):
        parts = [int(p) for p in str(value).split("-")]
        numbers = {int(n) for n in re.findall(r"\d+", span)}
        months = {MONTHS.index(w) + 1 for w in re.findall(r"[a-z]+", plain(span)) if w in MONTHS}
        year_month_day = [parts[0] in numbers]
        if len(parts) > 1:
            year_month_day.append(parts[1] in months)
        if len(parts) > 2:
            year_month_day.append(parts[2] in numbers)
        return all(year_month_day)
    if value.datatype == XSD.boolean:  # kg:approximate true: the span says the figure is not exact
        return str(value) == "true" and any(written(h, span) for h in HEDGES)
    return plain(str(value)) in plain(span)


@pytest.fixture(scope="module")
def graph():
    return rdflib.Graph().parse(iris.TRIPLES_FILE, format="turtle")


@pytest.fixture(scope="module")
def evidence(graph):
    """Each evidence node -> (section, its exact words and markers)."""
    spans = {}
    for ev in graph.subjects(RDF.type, OA.SpecificResource):
        exact = next(graph.objects(s, OA.exact) for s in graph.objects(ev, OA.hasSelector)
                     if (s, RDF.type, OA.TextQuoteSelector) in graph)
        citation = graph.value(ev, KG.citation) or ""
        spans[ev] = (str(graph.value(ev, KG.section)), f"{next(exact)} {citation}")
    return spans


class Names:
    """The words that name each resource in a given span, read from the data alone."""

    def __init__(self, graph, evidence):
        self.graph, self.labels = graph, defaultdict(set)
        for prop in (RDFS.label, SKOS.altLabel):
            for node, label in graph.subject_objects(prop):
                self.labels[node].add(str(label))
        # A mention the curator declared for a span: an annotation identifying a resource
        # in the span's words (which must be the span's own words).
        self.mentions = defaultdict(set)
        for note in graph.subjects(OA.motivatedBy, OA.identifying):
            ev, words = graph.value(note, OA.hasTarget), str(graph.value(note, KG.words))
            assert words in evidence[ev][1], (note, words)
            self.mentions[ev].add((graph.value(note, OA.hasBody), words))
        # An infobox line names the infobox's subject: what its title line labels.
        self.infobox_subject = {
            graph.value(st, RDF.subject)
            for st in graph.subjects(RDF.predicate, RDFS.label)
            for ev in graph.objects(st, PROV.wasDerivedFrom)
            if evidence.get(ev, ("",))[0] == "Infobox"
            and plain(evidence[ev][1]) == plain(str(graph.value(st, RDF.object)))
            and (graph.value(st, RDF.subject), RDF.type, KG.Invasion) in graph
        }
        # A claim is the assertion of the span it is derived from.
        claims = set(graph.subjects(RDF.type, KG.QuantityClaim)) | set(
            graph.subjects(RDF.type, KG.PropositionClaim))
        self.own_claims = defaultdict(set)
        for st in graph.subjects(RDF.type, RDF.Statement):
            if graph.value(st, RDF.subject) in claims:
                for prop in (PROV.wasDerivedFrom, PROV.used):
                    for ev in graph.objects(st, prop):
                        self.own_claims[ev].add(graph.value(st, RDF.subject))

    def words_for(self, node, ev) -> set[str]:
        return self.labels[node] | {w for n, w in self.mentions[ev] if n == node}

    def named(self, node, ev, section, span) -> bool:
        if not isinstance(node, URIRef) or node in self.own_claims[ev]:
            return True
        if section == "Infobox" and node in self.infobox_subject:
            return True
        return any(written(w, span) for w in self.words_for(node, ev))

    def called(self, node, class_name, ev, span) -> bool:
        """The span calls ``node`` by ``class_name``: the name stands within one of the
        node's own names ("World War II" is a war) or outside the names of the other things
        the span names ("the region around Białystok" does not make Galicia a region)."""
        text = plain(span)

        def places(words):
            return [m.span() for w in words
                    for m in re.finditer(rf"(?<!\w){re.escape(plain(w))}(?:s|es)?(?!\w)", text)]

        own = places(self.words_for(node, ev))
        things = {n for n in set(self.labels) | {n for n, _ in self.mentions[ev]}
                  if n != node and str(n).startswith(iris.RESOURCE)}  # not the classes
        others = places({w for other in things for w in self.words_for(other, ev)})
        return any(
            any(a <= start and end <= b for a, b in own)
            or not any(a <= start and end <= b for a, b in others)
            for start, end in places({class_name})
        )


def unsupported(graph, evidence, names):
    """Every (fact, span, why) where a span-derived fact is not written in its span."""
    problems = []
    for st in graph.subjects(RDF.type, RDF.Statement):
        s, p, o = (graph.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        for ev in graph.objects(st, PROV.wasDerivedFrom):
            section, span = evidence[ev]
            why = problem(graph, names, ev, section, span, s, p, o)
            if why:
                problems.append(f"{s.n3(graph.namespace_manager)} {p.n3(graph.namespace_manager)}"
                                f" {o.n3(graph.namespace_manager)} from {span!r}: {why}")
    return problems


def problem(graph, names, ev, section, span, s, p, o):
    if not names.named(s, ev, section, span):
        return f"{s} is not named"
    if p == RDF.type:
        label = graph.value(o, RDFS.label)  # the class's name, from the ontology below
        return None if label is not None and names.called(s, str(label), ev, span) \
            else "class not named"
    if isinstance(o, Literal):
        return None if literal_written(o, span) else "literal not written"
    return None if names.named(o, ev, section, span) else f"{o} is not named"


@pytest.fixture(scope="module")
def with_ontology(graph):
    ontology = rdflib.Graph().parse(iris.ONTOLOGY_DIR / "kg.ttl")
    return graph + ontology


def test_every_span_derived_fact_is_written_in_its_span(with_ontology, evidence):
    names = Names(with_ontology, evidence)
    derived = list(with_ontology.subject_objects(PROV.wasDerivedFrom))
    assert len(derived) > 300
    problems = unsupported(with_ontology, evidence, names)
    assert not problems, "\n".join(problems)


def test_the_check_notices_the_curators_words_credited_to_the_article(with_ontology, evidence):
    """The three kinds of problem of issue 11, put back: each is caught."""
    names = Names(with_ontology, evidence)

    def span_of(words):
        return next(ev for ev, (_, span) in evidence.items() if span.startswith(words))

    romania = span_of("The negotiations with the Western democracies")
    section, span = evidence[romania]
    assert problem(with_ontology, names, romania, section, span, KGR.KingdomOfRomania,
                   RDFS.label, Literal("Kingdom of Romania", lang="en")) == "literal not written"
    week = span_of("One week after")
    assert problem(with_ontology, names, week, *evidence[week],
                   KGR["claim-week-between-pact-and-german-invasion"], KG.minimum,
                   Literal(7)) == "literal not written"
    tanks = span_of("4,736 tanks")
    tanks_claim = KGR["claim-strength-soviet-tanks"]
    assert problem(with_ontology, names, tanks, *evidence[tanks], tanks_claim, RDFS.label,
                   Literal("Soviet strength: 4,736 tanks", lang="en")) == "literal not written"
    # "... the region around Białystok and a minor part of Galicia ...": the span calls
    # the area around Białystok a region, not Galicia.
    border = span_of("This agreement recognized the status quo")
    assert problem(with_ontology, names, border, *evidence[border], KGR.Galicia, RDF.type,
                   KG.Region) == "class not named"
    assert problem(with_ontology, names, border, *evidence[border], KGR.BialystokRegion,
                   RDF.type, KG.Region) is None
    most = span_of("The Soviet Union enclosed most")
    assert problem(with_ontology, names, most, *evidence[most], KGR.Kresy, KG.incorporatedInto,
                   KGR.UkrainianSSR) is None  # the words name both: the hedge test catches it
    assert not carried(with_ontology, most, evidence[most][1], "most", only={
        (KGR.Kresy, KG.incorporatedInto, KGR.UkrainianSSR)})


def carried(graph, ev, span, hedge, only=None) -> bool:
    """Whether a fact derived from ``ev`` carries ``hedge``, or the span says why none does."""
    if any(str(note).startswith(f"{hedge}:") for note in graph.objects(ev, KG.unqualifiedBecause)):
        return True
    facts = only if only is not None else [
        tuple(graph.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        for st in graph.subjects(PROV.wasDerivedFrom, ev)
    ]
    return any(p in CARRIERS or (isinstance(o, Literal) and written(hedge, str(o)))
               for _s, p, o in facts)


def test_every_qualifying_word_is_carried_or_explained(graph, evidence):
    found, missing = 0, []
    for ev, (_section, span) in evidence.items():
        text = plain(span)
        for hedge in sorted(HEDGES, key=len, reverse=True):
            if re.search(rf"(?<!\w){re.escape(hedge)}(?!\w)", text):
                found += 1
                text = text.replace(hedge, " ")
                if not carried(graph, ev, span, hedge):
                    missing.append(f"{hedge!r} in {span!r}")
    assert found >= 15
    assert not missing, "\n".join(missing)


def test_every_reason_quotes_only_the_spans_it_used(graph, evidence):
    """A curator's reason that quotes the article ("the next sentence says 'The area was
    under German occupation until ...'") has the quoted span among its prov:used, so a
    reader shown the inference sees every sentence it rests on."""
    curation = KGR["activity-curation"]
    quoted, missing, several = 0, [], 0
    for st in graph.subjects(PROV.wasGeneratedBy, curation):
        used = [evidence[ev][1] for ev in graph.objects(st, PROV.used)]
        several += len(used) > 1
        for reason in graph.objects(st, RDFS.comment):
            for words in re.findall(r'"([^"]+)"', str(reason)):
                words = words.replace("...", "").strip(" .")
                quoted += 1
                if not any(plain(words) in plain(span) for span in used):
                    missing.append(f"{words!r} of {str(reason)[:60]!r}: used {used}")
    assert quoted > 20 and several > 20
    assert not missing, "\n".join(missing)
