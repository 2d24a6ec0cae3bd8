"""How a fact is known: the article span it is derived from (shown inside its sentence), or
the activity that generated it, as the resource page lists them under each fact."""

from dataclasses import dataclass

import pyoxigraph as ox

from kg import iris
from kg.source.sentences import enclosing
from kg.web.article import Article
from kg.web.page_sparql import Graph
from kg.web.terms import KG, OA, PROV, RDFS, Shown, shown


@dataclass
class Evidence:
    """Where a fact comes from: a quote in its sentence, or the activity that made it."""

    href: str | None
    before: str = ""
    exact: str = ""
    after: str = ""
    citation: str = ""
    section: str = ""
    activity: Shown | None = None
    note: str = ""


def number(term) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def evidence_of(graph: Graph, statement, names: dict[str, str]) -> list[Evidence]:
    found = []
    for source in graph.objects(statement, PROV + "wasDerivedFrom"):
        found.append(span_evidence(graph, source))
    for activity in graph.objects(statement, PROV + "wasGeneratedBy"):
        comment = graph.value(statement, RDFS + "comment")
        found.append(Evidence(href=iris.href(activity.value) if isinstance(
            activity, ox.NamedNode) else None, activity=shown(activity, names),
            note=comment.value if comment is not None else ""))
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
    return evidence
