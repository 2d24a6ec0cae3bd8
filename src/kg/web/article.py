"""The article view (``/article``, ``article.html``) and the article text it shows.

The view shows the whole article text with every evidence span marked: hovering over a
span, or focusing it with the keyboard, lists the statements it supports (plain HTML and
CSS; ``article.js`` only keeps the list inside the window). Sentences that no statement
comes from are marked too, and counted: that is how a reader audits what the graph left out.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from flask import Blueprint, render_template

from kg import iris
from kg.source import ARTICLE_TITLE, ARTICLE_URL, RETRIEVED, article_text
from kg.source.sentences import sentence_spans
from kg.web.page_sparql import ASSERTED_GRAPHS, labels, query_link, select
from kg.web.terms import Shown, shown_binding

blueprint = Blueprint("article", __name__)

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


class Article:
    """The shipped article text and its sentences, read once per process."""

    _text: str | None = None
    _sentences: list[tuple[int, int]] = []

    @classmethod
    def text(cls) -> str:
        if cls._text is None:
            cls._text = article_text()
            cls._sentences = sentence_spans(cls._text)
        return cls._text

    @classmethod
    def sentences(cls) -> list[tuple[int, int]]:
        cls.text()
        return cls._sentences

    @staticmethod
    def anchor(start: int, end: int) -> str:
        """The article view's link to a span, which highlights it (``:target``)."""
        return f"{iris.ARTICLE_ROUTE}#span-{start}-{end}"

    @classmethod
    def locate(cls, exact: str, prefix: str = "", suffix: str = "",
               start: int | None = None, end: int | None = None) -> tuple[int, int] | None:
        """Where a quote is in the article: its offsets when they hold, else its context."""
        text = cls.text()
        if start is not None and end is not None and text[start:end] == exact:
            return start, end
        if not exact:
            return None
        found = text.find(prefix + exact + suffix)
        if found >= 0:
            return found + len(prefix), found + len(prefix) + len(exact)
        found = text.find(exact)
        return (found, found + len(exact)) if found >= 0 else None


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
    #: The element id, fixed before ``nest`` may cut the end: ``Article.anchor`` links to it.
    anchor: str = ""
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
        span = spans.setdefault(located, Span(*located, kind="evidence",
                                              anchor=f"span-{located[0]}-{located[1]}"))
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


FOREIGN_LABELS_QUERY = """\
SELECT DISTINCT ?label WHERE {
  ?resource rdfs:label|skos:altLabel ?label
  FILTER(LANG(?label) != "" && !LANGMATCHES(LANG(?label), "en"))
}
"""


@dataclass
class Foreign:
    """Words of another language in the article (its titles in other Wikipedias), which
    a page marks with their ``lang`` so screen readers and hyphenation read them right."""

    text: str
    lang: str
    kind: str = "foreign"


def is_heading(text: str, start: int, end: int) -> bool:
    """A line of its own that ends in no punctuation and holds no figure: a title or a
    section heading ("Casualties and losses", "Other Languages"), not a sentence."""
    line = text[start:end].strip()
    whole_line = text[start - 1:start] in ("", "\n") and text[end:end + 1] in ("", "\n")
    return bool(line) and whole_line and line[-1] not in ".!?:;,)]" and \
        not any(ch.isdigit() for ch in line)


def mark_foreign(pieces: list, labels: list[tuple[str, str]]) -> list:
    """The pieces with each other-language label's words wrapped as ``Foreign``."""
    marked = []
    for piece in pieces:
        if isinstance(piece, Span):
            piece.children = mark_foreign(piece.children, labels)
            marked.append(piece)
            continue
        rest = piece
        while rest:
            found = min(((rest.find(text), text, lang) for text, lang in labels
                         if text in rest), default=None)
            if found is None:
                marked.append(rest)
                break
            at, text, lang = found
            marked += [rest[:at], Foreign(text, lang)] if at else [Foreign(text, lang)]
            rest = rest[at + len(text):]
    return marked


@blueprint.get(iris.ARTICLE_ROUTE)
def article():
    text = Article.text()
    marked = evidence_spans()
    unmarked = [(start, end) for start, end in Article.sentences()
                if not any(m.start < end and start < m.end for m in marked)]
    headings = [Span(start, end, kind="heading") for start, end in unmarked
                if is_heading(text, start, end)]
    bare = [Span(start, end, kind="bare") for start, end in unmarked
            if not is_heading(text, start, end)]
    for number, sentence in enumerate(bare, 1):
        sentence.number = number
    pieces = nest(text, sorted(marked + bare + headings, key=lambda s: (s.start, -s.end)))
    foreign = [(row["label"]["value"], row["label"]["xml:lang"])
               for row in select(FOREIGN_LABELS_QUERY, ASSERTED_GRAPHS)]
    pieces = mark_foreign(pieces, sorted(foreign, key=lambda f: -len(f[0])))
    return render_template(
        "article.html", pieces=pieces, span_count=len(marked), bare=bare,
        heading_count=len(headings),
        sentence_count=len(Article.sentences()) - len(headings),
        statement_count=sum(len(m.statements) for m in marked),
        text=text, article_title=ARTICLE_TITLE, article_url=ARTICLE_URL, retrieved=RETRIEVED,
        evidence_query=query_link(EVIDENCE_QUERY))
