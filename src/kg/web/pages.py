"""The landing page (``/``) and the article view (``/article``).

The landing page says what the dataset is, where it comes from and under which licence,
counts the resources of each class and draws the dated events as a timeline, all read
from the store. The article view shows the whole article text with every evidence span
marked: hovering over a span, or focusing it with the keyboard, lists the statements it
supports (plain HTML and CSS; ``article.js`` only keeps the list inside the window).
Sentences that no statement comes from are marked too, and counted: that is how a reader
audits what the graph left out.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from flask import Blueprint, render_template

from kg import iris
from kg.source import ARTICLE_TITLE, ARTICLE_URL, LICENSE_URL, RETRIEVED
from kg.web import caching, descriptions
from kg.web.descriptions import ASSERTED_GRAPHS, Article, Shown, labels, select, shown_binding

blueprint = Blueprint("pages", __name__)

CLASS_COUNTS_QUERY = f"""\
# How many resources of each class (types a reasoner added included)
SELECT ?class (COUNT(DISTINCT ?resource) AS ?count) WHERE {{
  ?resource a ?class .
  FILTER(STRSTARTS(STR(?resource), "{iris.RESOURCE}"))
}}
GROUP BY ?class
ORDER BY DESC(?count) ?class
"""

TIMELINE_QUERY = """\
# Every dated event, with the precision the article gives
SELECT ?event ?start ?end ?point ?qualifier WHERE {
  { ?event kg:startDate ?start } UNION { ?event kg:pointInTime ?point }
  OPTIONAL { ?event kg:endDate ?end }
  OPTIONAL { ?event kg:timeQualifier ?qualifier }
}
"""

EVIDENCE_QUERY = """\
# Every evidence span and the statements it supports
SELECT ?evidence ?start ?end ?exact ?prefix ?suffix ?citation ?s ?p ?o WHERE {
  ?evidence a oa:SpecificResource .
  OPTIONAL { ?evidence oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
  OPTIONAL { ?evidence oa:hasSelector ?quote . ?quote oa:exact ?exact
             OPTIONAL { ?quote oa:prefix ?prefix } OPTIONAL { ?quote oa:suffix ?suffix } }
  OPTIONAL { ?evidence kg:citation ?citation }
  OPTIONAL { ?statement prov:wasDerivedFrom ?evidence ;
                        rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
}
"""


@blueprint.get(iris.HOME_ROUTE)
def landing():
    caching.check("html", vary=())
    rows = select(CLASS_COUNTS_QUERY)
    timeline = select(TIMELINE_QUERY, ASSERTED_GRAPHS)
    names = labels([r["class"]["value"] for r in rows] + [r["event"]["value"] for r in timeline])
    counts = [(shown_binding(r["class"], names), int(r["count"]["value"])) for r in rows]
    return render_template(
        "landing.html", counts=counts, events=timeline_of(timeline, names),
        article_title=ARTICLE_TITLE, article_url=ARTICLE_URL, retrieved=RETRIEVED,
        license_url=LICENSE_URL,
        counts_query=descriptions.query_link(CLASS_COUNTS_QUERY),
        timeline_query=descriptions.query_link(TIMELINE_QUERY))


@dataclass
class TimelineEvent:
    event: Shown
    sort_key: str
    year: str
    when: str


def timeline_of(rows: list[dict], names: dict[str, str]) -> list[TimelineEvent]:
    """Events in date order, each dated as precisely as the article dates it."""
    events = []
    for row in rows:
        begin = row.get("start") or row.get("point")
        when = shown_binding(begin, names).text
        if "qualifier" in row:
            when = f"{row['qualifier']['value']} {when}"
        if "end" in row and row["end"]["value"] != begin["value"]:
            when += " – " + shown_binding(row["end"], names).text
        events.append(TimelineEvent(shown_binding(row["event"], names), begin["value"],
                                    begin["value"][:4], when))
    events.sort(key=lambda e: (e.sort_key, e.event.text))
    return events


# --- The article view --------------------------------------------------------------


@dataclass
class Statement:
    subject: Shown
    predicate: Shown
    object: Shown


@dataclass
class Span:
    """A marked stretch of the article: an evidence span, or a sentence with no statement."""

    start: int
    end: int
    kind: str  # "evidence" or "bare"
    statements: list[Statement] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # local routes of the evidence nodes
    citation: str = ""
    number: int = 0
    children: list = field(default_factory=list)  # text pieces (str) and nested spans

    @property
    def by_subject(self) -> list[tuple[Shown, list[Statement]]]:
        """The statements grouped by their subject, as the pop-up lists them."""
        groups: dict[str, tuple[Shown, list[Statement]]] = {}
        for statement in self.statements:
            key = statement.subject.iri or statement.subject.text
            groups.setdefault(key, (statement.subject, []))[1].append(statement)
        return list(groups.values())


def evidence_spans() -> list[Span]:
    """One span per distinct stretch of text, with every statement drawn from it."""
    rows = select(EVIDENCE_QUERY, ASSERTED_GRAPHS)
    names = labels(b["value"] for row in rows for key in ("s", "p", "o")
                   if key in row for b in [row[key]] if b["type"] == "uri")
    spans: dict[tuple[int, int], Span] = {}
    seen = defaultdict(set)
    for row in rows:
        value = {k: v["value"] for k, v in row.items()}
        located = Article.locate(value.get("exact", ""), value.get("prefix", ""),
                                 value.get("suffix", ""), _int(value.get("start")),
                                 _int(value.get("end")))
        if located is None:
            continue
        span = spans.setdefault(located, Span(*located, kind="evidence"))
        route = iris.href(value["evidence"])
        if route not in span.evidence:
            span.evidence.append(route)
        span.citation = span.citation or value.get("citation", "")
        if "s" in row and (value["s"], value["p"], row["o"]["value"]) not in seen[located]:
            seen[located].add((value["s"], value["p"], row["o"]["value"]))
            span.statements.append(Statement(shown_binding(row["s"], names),
                                             shown_binding(row["p"], names),
                                             shown_binding(row["o"], names)))
    for span in spans.values():
        span.statements.sort(key=lambda s: (s.subject.text, s.predicate.text, s.object.text))
    return sorted(spans.values(), key=lambda s: (s.start, -s.end))


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


def nest(text: str, spans: list[Span]) -> list:
    """The text as pieces and nested spans (spans sorted by start, longest first).

    Evidence spans in the data nest (a reference marker inside a quoted sentence); one
    that crossed the end of an enclosing span would be cut at that end.
    """
    root = Span(0, len(text), kind="root")
    stack = [root]
    position = 0
    for span in spans:
        while span.start >= stack[-1].end and len(stack) > 1:
            closed = stack.pop()
            closed.children.append(text[position:closed.end])
            position = closed.end
        span.end = min(span.end, stack[-1].end)
        stack[-1].children.append(text[position:span.start])
        stack[-1].children.append(span)
        stack.append(span)
        position = span.start
    while len(stack) > 1:
        closed = stack.pop()
        closed.children.append(text[position:closed.end])
        position = closed.end
    root.children.append(text[position:])
    return [piece for piece in root.children if piece != ""]


@blueprint.get(iris.ARTICLE_ROUTE)
def article():
    caching.check("html", vary=())
    text = Article.text()
    marked = evidence_spans()
    bare = [Span(start, end, kind="bare") for start, end in Article.sentences()
            if not any(m.start < end and start < m.end for m in marked)]
    for number, sentence in enumerate(bare, 1):
        sentence.number = number
    pieces = nest(text, sorted(marked + bare, key=lambda s: (s.start, -s.end)))
    return render_template(
        "article.html", pieces=pieces, span_count=len(marked), bare=bare,
        sentence_count=len(Article.sentences()),
        statement_count=sum(len(m.statements) for m in marked),
        text=text, article_title=ARTICLE_TITLE, article_url=ARTICLE_URL, retrieved=RETRIEVED,
        evidence_query=descriptions.query_link(EVIDENCE_QUERY))
