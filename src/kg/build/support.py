"""The support rule: a span is the evidence of a fact only if its words state the fact.

A literal must be written in the span: a number as digits (with or without thousands
separators), in words ("sixteen") or as "13.5 million"; a date's day, month and year; a
text or label word for word, case and accents aside. Every resource the fact relates
must be named in the span, by one of its labels or by a mention the record declares.
``kg build`` refuses a record whose stated facts fail this, and tests/test_data_support.py
re-checks the built file independently. Qualifying words ("most", "some", "ostensibly")
must be carried into the data; :data:`HEDGES` lists the ones the build looks for.
"""

import datetime
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, NamedNode, Triple

from kg import iris
from kg.curate import Record

from . import ontology, terms
from .quotes import MARKER

RDFS_LABEL = terms.prefixed("rdfs:label")
SKOS_ALT = terms.prefixed("skos:altLabel")
APPROXIMATE = terms.predicate("approximate")
PART_OF = terms.predicate("partOf")
CLAIMANT = terms.predicate("claimant")

XSD = iris.PREFIXES["xsd"]

#: Qualifying words the build looks for in every quote: a span holding one must carry
#: it into the data (a part resource, kg:approximate, kg:qualifier, a claim with its
#: claimant, a label in the article's words) or its record must say why none is needed.
HEDGES = (
    "almost all", "most", "part of", "parts of", "minor part", "half", "some", "several", "about",
    "around", "up to", "approximately", "nearly", "roughly", "one week",
    "hundreds of thousands", "ostensibly", "mock", "according to", "two-way", "allegedly",
    "so-called", "vastly", "only limited",
)
#: Hedges a stated ``kg:approximate true`` carries: the figure is not exact.
APPROXIMATE_HEDGES = {
    "some", "about", "around", "up to", "approximately", "nearly", "roughly", "one week",
    "hundreds of thousands", "several",
}
#: Hedges a stated ``kg:partOf`` carries: the fact is about a part, not the whole.
PART_HEDGES = {"almost all", "most", "part of", "parts of", "minor part", "half"}
#: Hedges a stated ``kg:claimant`` carries: the words are someone's claim, not the article's.
DISTANCE_HEDGES = {"according to", "ostensibly", "allegedly", "so-called"}

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}
SCALES = {"thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)
#: A figure as printed: "4,736", "13.5", "320,000", optionally followed by a scale word.
FIGURE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s+(thousand|million|billion))?")
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")


def normalise(text: str) -> str:
    """Case, accents, dash kinds and spacing aside: "Lwów – 1939" -> "lwow - 1939"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(DASHES).casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("\u0142", "l").split())


def occurrences(span: str, phrase: str, *, plural: bool = False) -> list[tuple[int, int]]:
    """Where ``phrase`` occurs in ``span`` as whole words (both already normalised); with
    ``plural``, also as "phrase-s" and, for a plural phrase, its singular ("weeks" -> "week")."""
    if not phrase:
        return []
    forms = [re.escape(phrase)]
    if plural:
        forms += [re.escape(phrase) + "(?:s|es)"]
        if phrase.endswith("s"):
            forms.append(re.escape(phrase[:-1]))
    pattern = r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)"
    return [match.span() for match in re.finditer(pattern, span)]


def has_phrase(span: str, phrase: str, *, plural: bool = False) -> bool:
    """``phrase`` occurs in ``span`` as whole words (see :func:`occurrences`)."""
    return bool(occurrences(span, phrase, plural=plural))


def figures(span: str) -> set[Decimal]:
    """Every number the span writes, in digits or words."""
    found = set()
    for digits, fraction, scale in FIGURE.findall(span):
        value = Decimal(digits.replace(",", "") + fraction)
        found.add(value)
        if scale:
            found.add(value * SCALES[scale])
    words = re.findall(r"[a-z]+", normalise(span))
    for index, word in enumerate(words):
        if word in NUMBER_WORDS:
            value = Decimal(NUMBER_WORDS[word])
            found.add(value)
            if index + 1 < len(words) and words[index + 1] in SCALES:
                found.add(value * SCALES[words[index + 1]])
    return found


def _date_parts(span: str) -> tuple[set[int], set[int], set[int]]:
    """(days, months, years) the span writes: "17 September" -> 17, 9; "1939" -> 1939."""
    text = normalise(span)
    numbers = {int(n) for n in re.findall(r"(?<!\d)\d{1,4}(?!\d)", text)}
    months = {MONTHS.index(w) + 1 for w in re.findall(r"[a-z]+", text) if w in MONTHS}
    return {n for n in numbers if n <= 31}, months, {n for n in numbers if n >= 100}


def literal_problem(literal: Literal, span: str) -> str | None:
    """Why ``span`` does not write ``literal``, or None when it does."""
    datatype = literal.datatype.value.removeprefix(XSD) if literal.datatype else ""
    value = literal.value
    if datatype in ("integer", "decimal"):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return f"{value!r} is not a number"
        return None if number in figures(span) else f"the number {value} is not written there"
    if datatype in ("date", "gYearMonth", "gYear"):
        days, months, years = _date_parts(span)
        parts = value.split("-")
        wanted = [("year", int(parts[0]), years)]
        if len(parts) > 1:
            wanted.append(("month", int(parts[1]), months))
        if len(parts) > 2:
            wanted.append(("day", datetime.date.fromisoformat(value).day, days))
        missing = [name for name, part, known in wanted if part not in known]
        return f"the date {value}'s {' and '.join(missing)} not written there" if missing else None
    if datatype == "boolean":
        hedged = any(has_phrase(normalise(span), h) for h in APPROXIMATE_HEDGES)
        if value == "true" and hedged:
            return None
        return f"no word of the span makes a figure approximate ({value})"
    return None if normalise(value) in normalise(span) else f"{value!r} is not written there"


def hedges_in(span: str) -> list[str]:
    """The qualifying words of :data:`HEDGES` the span holds, longest first, without
    counting a shorter hedge inside a longer one ("most" in "almost all" is not "most")."""
    text, found = normalise(span), []
    for hedge in sorted(HEDGES, key=len, reverse=True):
        if has_phrase(text, hedge):
            found.append(hedge)
            text = re.sub(r"(?<!\w)" + re.escape(hedge) + r"(?!\w)", " ", text)
    return found


class Names:
    """What names each resource in a quote: its labels in any language, alternative labels,
    the reference markers, and the mentions a record declares for its own quote."""

    def __init__(self, records: list[Record], triples: dict):
        """``triples``: each record's triples (graph.RecordFacts), by ``Record.where``."""
        self.labels: dict[NamedNode, set[str]] = defaultdict(set)
        for facts in triples.values():
            for triple in facts.stated + facts.described + [t for t, _ in facts.inferred]:
                if triple.predicate in (RDFS_LABEL, SKOS_ALT):
                    self.labels[triple.subject].add(normalise(triple.object.value))
        self.mentions = {
            r.where: {terms.resource(name): normalise(words)
                      for words, name in r.mentions.items()}
            for r in records
        }
        # An infobox line is about what the infobox's title names (its first record).
        title = next((r for r in records if r.section == "Infobox"), None)
        self.infobox_subject = (
            {t.subject for t in triples[title.where].described if t.predicate == RDFS_LABEL}
            if title else set()
        )

    def named(self, node, words: str, record: Record, own: set[NamedNode]) -> bool:
        """Whether ``words`` (normalised) name ``node``: a literal or a claim the record
        itself makes counts as named, and in an infobox line the infobox's subject."""
        where, section = record.where, record.section
        if not isinstance(node, NamedNode) or node in own:
            return True
        if section == "Infobox" and node in self.infobox_subject:
            return True
        local = node.value.removeprefix(iris.RESOURCE)
        marker = MARKER_OF.match(local)
        if marker:
            return has_phrase(words, normalise(marker_text(marker)))
        return any(has_phrase(words, name, plural=True) for name in self.names_of(node, where))

    def names_of(self, node, where: str) -> set[str]:
        """The normalised words that name ``node`` in record ``where``'s quote."""
        mention = self.mentions.get(where, {}).get(node)
        return self.labels.get(node, set()) | ({mention} if mention else set())

    def class_named(self, node, cls: NamedNode, span: str, record: Record) -> bool:
        """``span`` calls ``node`` by the name of ``cls`` (:func:`class_named`), not only
        inside the name of another resource it names."""
        words, where = normalise(span), record.where
        nodes = (set(self.labels) | set(self.mentions.get(where, {}))) - {node}
        others = {name for other in nodes for name in self.names_of(other, where)
                  if has_phrase(words, name, plural=True)}
        return class_named(cls, span, self.names_of(node, where), others)


def marker_text(match: re.Match) -> str:
    """``ref-5`` -> "[5]", ``note-3`` -> "[Note 3]", ``ref-5-p85`` -> "[5]:85"."""
    kind, number, page = match.groups()
    text = f"[{number}]" if kind == "ref" else f"[Note {number}]"
    return text + (f":{page}" if page else "")


#: A reference's local name, which :func:`reference_names` mints from its marker.
MARKER_OF = re.compile(r"(ref|note)-(\d+)(?:-p(\d+))?\Z")


def support_problems(triple: Triple, span: str, names: Names, record: Record,
                     own: set[NamedNode]) -> list[str]:
    """Why ``span`` (the quote and its markers) does not state ``triple``: [] if it does."""
    words = normalise(span)
    problems = [
        f"{_local(node)} is not named there"
        for node in (triple.subject, triple.object)
        if triple.predicate != terms.RDF_TYPE and not names.named(node, words, record, own)
    ]
    if triple.predicate == terms.RDF_TYPE:
        if not names.named(triple.subject, words, record, own):
            problems.append(f"{_local(triple.subject)} is not named there")
        if not names.class_named(triple.subject, triple.object, span, record):
            problems.append(f"the class's name {ontology.class_label(triple.object)!r} "
                            "is not written there for it")
    if isinstance(triple.object, Literal):
        problem = literal_problem(triple.object, span)
        if problem:
            problems.append(problem)
    return problems


def _local(node: NamedNode) -> str:
    return node.value.removeprefix(iris.RESOURCE)


def class_named(cls: NamedNode, span: str, own: set[str] = frozenset(),
                others: set[str] = frozenset()) -> bool:
    """The quote calls the thing by its class's name ("a military operation"): the name
    occurs within the thing's own names (``own``: "World War II" is a war) or outside
    every other resource's name (``others``: the "region" of "the region around Białystok"
    does not make Galicia, named beside it, a region)."""
    label = ontology.class_label(cls)
    if label is None:
        return False
    text = normalise(span)

    def within(where: tuple[int, int], names: set[str]) -> bool:
        return any(start <= where[0] and where[1] <= end
                   for name in names for start, end in occurrences(text, name, plural=True))

    return any(within(found, own) or not within(found, others)
               for found in occurrences(text, normalise(label), plural=True))


def hedge_problems(record: Record, stated: list[Triple]) -> list[str]:
    """The qualifying words of the quote that none of its stated facts carry and the
    record does not explain (``hedges``)."""
    literals = [normalise(t.object.value) for t in stated if isinstance(t.object, Literal)]
    predicates = {t.predicate for t in stated}
    approximate = any(t.predicate == APPROXIMATE and t.object.value == "true" for t in stated)
    problems = []
    for hedge in hedges_in(MARKER.sub(" ", record.quote)):
        carried = (
            hedge in record.hedges
            or any(has_phrase(text, hedge) for text in literals)
            or (hedge in APPROXIMATE_HEDGES and approximate)
            or (hedge in PART_HEDGES and PART_OF in predicates)
            or (hedge in DISTANCE_HEDGES and CLAIMANT in predicates)
        )
        if not carried:
            problems.append(
                f"{record.where}: the quote says {hedge!r} but no stated fact carries it "
                f"(a part resource, kg:approximate, kg:qualifier, a claim with its claimant) "
                f"and 'hedges' gives no reason why none is needed"
            )
    unknown = set(record.hedges) - set(hedges_in(MARKER.sub(" ", record.quote)))
    if unknown:
        problems.append(f"{record.where}: 'hedges' explains words the quote does not hold: "
                        f"{sorted(unknown)}")
    return problems
