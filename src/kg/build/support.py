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
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal

from kg import iris

XSD = iris.PREFIXES["xsd"]

#: Qualifying words the build looks for in every quote: a span holding one must carry
#: it into the data (a part resource, kg:approximate, kg:qualifier, a claim with its
#: claimant, a label in the article's words) or its record must say why none is needed.
HEDGES = (
    "almost all", "most", "part of", "minor part", "half", "some", "several", "about",
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
PART_HEDGES = {"almost all", "most", "part of", "minor part", "half"}
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


def has_phrase(span: str, phrase: str, *, plural: bool = False) -> bool:
    """``phrase`` occurs in ``span`` as whole words (both already normalised); with
    ``plural``, also as "phrase-s" and, for a plural phrase, its singular ("weeks" -> "week")."""
    if not phrase:
        return False
    forms = [re.escape(phrase)]
    if plural:
        forms += [re.escape(phrase) + "(?:s|es)"]
        if phrase.endswith("s"):
            forms.append(re.escape(phrase[:-1]))
    pattern = r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)"
    return re.search(pattern, span) is not None


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
