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
from kg.web import caching
from kg.web.page_sparql import ASSERTED_GRAPHS, labels, query_link, select
from kg.web.terms import Shown, shown_binding

blueprint = Blueprint("article", __name__)

EVIDENCE_QUERY = """\
# Every evidence span and the statements it supports
SELECT ?evidence ?start ?end ?exact ?prefix ?suffix ?citation ?s ?p ?o ?side WHERE {
  ?evidence a oa:SpecificResource .
  OPTIONAL { ?evidence oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
  OPTIONAL { ?evidence oa:hasSelector ?quote . ?quote oa:exact ?exact
             OPTIONAL { ?quote oa:prefix ?prefix } OPTIONAL { ?quote oa:suffix ?suffix } }
  OPTIONAL { ?evidence kg:citation ?citation }
  OPTIONAL { ?statement prov:wasDerivedFrom ?evidence ;
                        rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o
             OPTIONAL { ?s kg:side ?side } }
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
    #: The sides (kg:side) of the claims drawn from it: which infobox column it belongs in.
    sides: set = field(default_factory=set)
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
        if "side" in value:
            span.sides.add(value["side"])
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


def nest(text: str, spans: list[Span], start: int = 0, end: int | None = None) -> list:
    """The text (or its stretch ``start:end``) as pieces and nested spans (spans sorted by
    start, longest first; those starting outside the stretch are left out).

    Evidence spans in the data nest (a reference marker inside a quoted sentence); one
    that crossed the end of an enclosing span would be cut at that end.
    """
    end = len(text) if end is None else end
    root = Span(start, end, kind="root")
    stack = [root]
    position = start
    for span in (s for s in spans if start <= s.start < end):
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
    root.children.append(text[position:end])
    return [piece for piece in root.children if piece != ""]


#: Labels that the retrieved text runs into their values ("Date17 September – …").
INFOBOX_LABELS = ("Date", "Result")


@dataclass
class InfoboxRow:
    """A row of the infobox: a heading, a label and its value, one line across, or the two
    sides' lines side by side (``left``, ``right``: the pieces of each cell)."""

    kind: str  # "heading", "labelled", "across", "sides"
    label: str = ""
    left: list = field(default_factory=list)
    right: list = field(default_factory=list)


@dataclass
class Infobox:
    title: list
    sides: list  # the pieces of the line naming the two sides
    side_names: tuple[str, str]
    rows: list[InfoboxRow]
    start: int
    end: int


def infobox(text: str, spans: list[Span]) -> Infobox | None:
    """The infobox as the plain text flattened it, put back into a table: the lines after
    the page title up to the first blank line. The line naming the two sides
    ("Poland Soviet Union") gives the columns; each figure line goes into the column of
    the side its claims name (kg:side), in the order the text gives them."""
    start = text.find("\n\n") + 2
    end = text.find("\n\n", start)
    if start < 2 or end < 0:
        return None
    lines, at = [], start
    for line in text[start:end].split("\n"):
        lines.append((at, at + len(line)))
        at += len(line) + 1
    sides_at = next((i for i, (a, b) in enumerate(lines)
                     if len(text[a:b].strip().split("\xa0")) == 2), None)
    if sides_at is None:
        return None
    names = tuple(text[slice(*lines[sides_at])].strip().split("\xa0"))

    def pieces(a: int, b: int) -> list:
        return nest(text, spans, a, b)

    def side_of(a: int, b: int) -> str | None:
        found = {side for s in spans if a <= s.start < b for side in s.sides}
        return found.pop() if len(found) == 1 else None

    rows: list[InfoboxRow] = []
    for a, b in lines[1:sides_at]:
        line = text[a:b]
        label = next((x for x in INFOBOX_LABELS if line.startswith(x) and len(line) > len(x)),
                     None)
        if label:
            rows.append(InfoboxRow("labelled", label, pieces(a + len(label), b)))
        else:
            rows.append(InfoboxRow("across", left=pieces(a, b)))
    columns: list[list] = [[], []]
    sides: list[str] = []  # the side IRIs in column order, as the figures first name them

    def flush():
        for left, right in zip(*[c + [None] * (max(map(len, columns)) - len(c))
                                 for c in columns], strict=True):
            rows.append(InfoboxRow("sides", left=left or [], right=right or []))
        columns[0].clear()
        columns[1].clear()

    for a, b in lines[sides_at + 1:]:
        side = side_of(a, b)
        if side is None:
            flush()
            rows.append(InfoboxRow("heading", left=pieces(a, b)))
            continue
        if side not in sides:
            sides.append(side)
        columns[min(sides.index(side), 1)].append(pieces(a, b))
    flush()
    return Infobox(title=pieces(*lines[0]), sides=pieces(*lines[sides_at]), side_names=names,
                   rows=rows, start=start, end=end)


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
    caching.check("html", vary=())
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
    spans = sorted(marked + bare + headings, key=lambda s: (s.start, -s.end))
    box = infobox(text, spans)
    foreign = sorted(((row["label"]["value"], row["label"]["xml:lang"])
                      for row in select(FOREIGN_LABELS_QUERY, ASSERTED_GRAPHS)),
                     key=lambda f: -len(f[0]))
    before = mark_foreign(nest(text, spans, 0, box.start if box else len(text)), foreign)
    after = mark_foreign(nest(text, spans, box.end), foreign) if box else []
    return render_template(
        "article.html", before=before, infobox=box, after=after, span_count=len(marked),
        bare=bare,
        heading_count=len(headings),
        sentence_count=len(Article.sentences()) - len(headings),
        statement_count=sum(len(m.statements) for m in marked),
        text=text, article_title=ARTICLE_TITLE, article_url=ARTICLE_URL, retrieved=RETRIEVED,
        evidence_query=query_link(EVIDENCE_QUERY))
