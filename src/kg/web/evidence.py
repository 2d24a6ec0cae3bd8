"""How a fact is known, as pages say it: "the article says" with the quote, or "the curator
inferred, from" with the quotes the inference rests on, or "linked to Wikidata" with the check.

This follows the provenance pattern of ``/work/shared/DESIGN.md``: a stated fact's
``rdf:Statement`` is ``prov:wasDerivedFrom`` an ``oa:SpecificResource`` (the span); an
inferred one is ``prov:wasGeneratedBy`` a ``prov:Activity``, ``prov:used`` the spans it
rests on, with its reason as the statement's ``rdfs:comment``. What the data lacks (an
inference without ``prov:used``) is simply not shown, never made up.
"""

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import iris
from kg.search import WIKIDATA_CHECK
from kg.source.sentences import enclosing
from kg.web.article import Article
from kg.web.page_sparql import Graph
from kg.web.terms import KG, OA, PROV, RDFS, Shown, format_literal, shown

LINKING_ACTIVITY = iris.resource("activity-wikidata-linking")


@dataclass
class Evidence:
    """Where a fact comes from: a quote in its sentence (``kind`` "stated"), or the activity
    that made it ("inferred", "linked") with its reason and the quotes it used."""

    kind: str
    href: str | None = None
    before: str = ""
    exact: str = ""
    after: str = ""
    citation: str = ""
    section: str = ""
    #: The span in the article view (``/article#span-S-E``), which highlights it.
    article_href: str | None = None
    activity: Shown | None = None
    note: str = ""
    when: str = ""
    used: list["Evidence"] = field(default_factory=list)

    @property
    def wikidata_label(self) -> str:
        """Wikidata's label of the linked item, as the check recorded it ("" if none)."""
        found = WIKIDATA_CHECK.match(self.note)
        return found.group("label") if found else ""

    @property
    def check(self) -> str:
        """Where the QID was confirmed: the check without its label prefix."""
        found = WIKIDATA_CHECK.match(self.note)
        return self.note[found.end():] if found else self.note


def number(term) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def evidence_of(graph: Graph, statement, names: dict[str, str]) -> list[Evidence]:
    """Every way the statement's fact is known, stated ones first."""
    found = [span_evidence(graph, source)
             for source in graph.objects(statement, PROV + "wasDerivedFrom")]
    comment = graph.value(statement, RDFS + "comment")
    for activity in graph.objects(statement, PROV + "wasGeneratedBy"):
        ended = graph.value(activity, PROV + "endedAtTime")
        found.append(Evidence(
            kind="linked" if activity.value == LINKING_ACTIVITY else "inferred",
            href=iris.href(activity.value) if isinstance(activity, ox.NamedNode) else None,
            activity=shown(activity, names),
            note=comment.value if comment is not None else "",
            when=format_literal(ended.value[:10], iris.PREFIXES["xsd"] + "date") if ended else "",
            used=[span_evidence(graph, source)
                  for source in sorted(graph.objects(statement, PROV + "used"), key=str)]))
    return found


def span_evidence(graph: Graph, source) -> Evidence:
    """A span of the article, shown inside the sentence(s) around it."""
    exact = prefix = suffix = ""
    start = end = None
    for selector in graph.objects(source, OA + "hasSelector"):
        if graph.value(selector, OA + "exact") is not None:
            exact = graph.value(selector, OA + "exact").value
            prefix = getattr(graph.value(selector, OA + "prefix"), "value", "")
            suffix = getattr(graph.value(selector, OA + "suffix"), "value", "")
        if graph.value(selector, OA + "start") is not None:
            start = number(graph.value(selector, OA + "start"))
            end = number(graph.value(selector, OA + "end"))
    evidence = Evidence(
        kind="stated",
        href=iris.href(source.value) if isinstance(source, ox.NamedNode) else None,
        exact=exact,
        citation=getattr(graph.value(source, KG + "citation"), "value", ""),
        section=getattr(graph.value(source, KG + "section"), "value", ""),
    )
    span = Article.locate(exact, prefix, suffix, start, end)
    if span:
        text = Article.text()
        first, last = enclosing(Article.sentences(), *span)
        evidence.before, evidence.after = text[first:span[0]], text[span[1]:last]
        evidence.article_href = Article.anchor(*span)
    return evidence
