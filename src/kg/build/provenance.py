"""The provenance pattern of DESIGN.md, as triples.

Every fact triple gets one ``rdf:Statement`` node (RDF 1.1 reification, which every
RDF tool reads) that is ``prov:wasDerivedFrom`` the article spans stating it
(``oa:SpecificResource`` with a quote and a position selector), or
``prov:wasGeneratedBy`` the activity that produced it when no span states it
(a Wikidata link, a curator's class or reading), with ``prov:used`` the spans the
activity read and the reason as the statement's ``rdfs:comment``. The article itself
is described once, by the retrieval activity.
"""

from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Triple

from kg import iris, source

from . import terms
from .quotes import Span

RDF = iris.PREFIXES["rdf"]
RDFS = iris.PREFIXES["rdfs"]
PROV = iris.PREFIXES["prov"]
OA = iris.PREFIXES["oa"]
SCHEMA = iris.PREFIXES["schema"]
DCTERMS = iris.PREFIXES["dcterms"]

ARTICLE = NamedNode(iris.resource("article"))
WIKIPEDIA_CONTRIBUTORS = NamedNode(iris.resource("WikipediaContributors"))
ARTICLE_HISTORY_URL = (
    "https://en.wikipedia.org/w/index.php?title=Soviet_invasion_of_Poland&action=history"
)
#: The history page that opens at the revision in force when the article was retrieved
#: (the newest revision before the day after the retrieval date).
RETRIEVED_REVISION_URL = (
    ARTICLE_HISTORY_URL
    + "&offset=" + source.RETRIEVED_NEXT_DAY.replace("-", "") + "000000&limit=1"
)


def _n(namespace: str, local: str) -> NamedNode:
    return NamedNode(namespace + local)


@dataclass(frozen=True, order=True)
class Evidence:
    """A span of the article that states facts, with where it is and what it cites."""

    span: Span
    section: str
    citation: str | None
    #: Why a qualifying word of the span needs no qualification: "several: ...".
    unqualified_because: tuple[str, ...] = ()

    @property
    def iri(self) -> NamedNode:
        return terms.evidence_iri(self.span.start, self.span.end)


def evidence_triples(evidence: Evidence) -> list[Triple]:
    """The evidence node and its two selectors (IRIs, not blank nodes, for a stable file)."""
    node, span = evidence.iri, evidence.span
    quote = terms.selector_iri(node, "quote")
    position = terms.selector_iri(node, "pos")
    triples = [
        Triple(node, _n(RDF, "type"), _n(OA, "SpecificResource")),
        Triple(node, _n(OA, "hasSource"), ARTICLE),
        Triple(node, _n(OA, "hasSelector"), quote),
        Triple(node, _n(OA, "hasSelector"), position),
        Triple(node, NamedNode(iris.term("section")), Literal(evidence.section)),
        Triple(quote, _n(RDF, "type"), _n(OA, "TextQuoteSelector")),
        Triple(quote, _n(OA, "exact"), Literal(span.exact)),
        Triple(quote, _n(OA, "prefix"), Literal(span.prefix)),
        Triple(quote, _n(OA, "suffix"), Literal(span.suffix)),
        Triple(position, _n(RDF, "type"), _n(OA, "TextPositionSelector")),
        Triple(position, _n(OA, "start"), terms.typed("integer", span.start)),
        Triple(position, _n(OA, "end"), terms.typed("integer", span.end)),
    ]
    if evidence.citation:
        triples.append(Triple(node, NamedNode(iris.term("citation")), Literal(evidence.citation)))
    triples += [Triple(node, NamedNode(iris.term("unqualifiedBecause")), Literal(note))
                for note in evidence.unqualified_because]
    return triples


def statement_triples(
    fact: Triple,
    evidence: set[NamedNode],
    activities: set[NamedNode],
    comments: set[str],
    used: set[NamedNode],
) -> list[Triple]:
    """The statement node of one fact: what it says and where it comes from."""
    node = terms.statement_iri(fact.subject, fact.predicate, fact.object)
    triples = [
        Triple(node, _n(RDF, "type"), _n(RDF, "Statement")),
        Triple(node, _n(RDF, "subject"), fact.subject),
        Triple(node, _n(RDF, "predicate"), fact.predicate),
        Triple(node, _n(RDF, "object"), fact.object),
    ]
    triples += [Triple(node, _n(PROV, "wasDerivedFrom"), ev) for ev in evidence]
    triples += [Triple(node, _n(PROV, "wasGeneratedBy"), act) for act in activities]
    triples += [Triple(node, _n(PROV, "used"), ev) for ev in used]
    triples += [Triple(node, _n(RDFS, "comment"), Literal(text)) for text in comments]
    return triples


def activity_triples(name: str, description: dict) -> list[Triple]:
    """A ``prov:Activity`` from activities.yaml: what was done, how, when, by whom."""
    node = activity_iri(name)
    agent = terms.resource(description["agent"]["name"])
    ended = description["ended"]
    used = NamedNode(description["used"]) if "used" in description else ARTICLE
    return [
        Triple(node, _n(RDF, "type"), _n(PROV, "Activity")),
        Triple(node, _n(RDFS, "label"), terms.english(description["label"])),
        Triple(node, _n(RDFS, "comment"), terms.english(description["comment"])),
        Triple(node, NamedNode(iris.term("method")), Literal(description["method"])),
        Triple(node, _n(PROV, "endedAtTime"),
               terms.typed("dateTime" if "T" in str(ended) else "date", ended)),
        Triple(node, _n(PROV, "wasAssociatedWith"), agent),
        Triple(node, _n(PROV, "used"), used),
        Triple(agent, _n(RDF, "type"), _n(PROV, "Agent")),
        Triple(agent, _n(RDFS, "label"), terms.english(description["agent"]["label"])),
    ]


def activity_iri(name: str) -> NamedNode:
    """``kgr:activity-<name>``, e.g. ``kgr:activity-wikidata-linking``."""
    return NamedNode(iris.resource("activity-" + name))


def article_triples(text: str) -> list[Triple]:
    """``kgr:article``: the English Wikipedia article the spans index, its licence and
    authors; facts of the retrieval (``kgr:activity-retrieval``), each with its statement."""
    return [
        Triple(ARTICLE, _n(RDF, "type"), _n(SCHEMA, "Article")),
        Triple(ARTICLE, _n(RDFS, "label"), terms.english(
            f"{source.ARTICLE_TITLE} (English Wikipedia article, retrieved {source.RETRIEVED})"
        )),
        Triple(ARTICLE, _n(SCHEMA, "name"), terms.english(source.ARTICLE_TITLE)),
        Triple(ARTICLE, _n(SCHEMA, "url"), NamedNode(source.ARTICLE_URL)),
        Triple(ARTICLE, _n(SCHEMA, "inLanguage"), Literal("en")),
        Triple(ARTICLE, _n(SCHEMA, "license"), NamedNode(source.LICENSE_URL)),
        Triple(ARTICLE, _n(SCHEMA, "author"), WIKIPEDIA_CONTRIBUTORS),
        Triple(ARTICLE, _n(SCHEMA, "encodingFormat"), Literal("text/plain")),
        # The retrieval date: the text, and so every offset, is the article as read that day.
        Triple(ARTICLE, _n(DCTERMS, "date"), terms.typed("date", source.RETRIEVED)),
        Triple(ARTICLE, _n(RDFS, "comment"), terms.english(
            "Evidence offsets (oa:start, oa:end) count Unicode code points of schema:text, "
            "end exclusive."
        )),
        Triple(ARTICLE, _n(SCHEMA, "text"), Literal(text)),
        Triple(WIKIPEDIA_CONTRIBUTORS, _n(RDF, "type"), _n(SCHEMA, "Organization")),
        Triple(WIKIPEDIA_CONTRIBUTORS, _n(RDFS, "label"), terms.english("Wikipedia contributors")),
        Triple(WIKIPEDIA_CONTRIBUTORS, _n(SCHEMA, "url"), NamedNode(ARTICLE_HISTORY_URL)),
    ]


def reference_note_triples(reference: NamedNode, marker: str) -> list[Triple]:
    """What a reader of ``kgr:ref-N`` needs: the retrieved text has the marker but not the
    reference list, and where the list is (the revision in force then, the live article).
    Never the reference's own text, which the data does not have."""
    note = (
        f"The text of the English Wikipedia article \"{source.ARTICLE_TITLE}\" retrieved on "
        f"{source.RETRIEVED} prints the marker {marker} but not the article's reference list, "
        "so the data does not hold what this reference cites; the linked revision history "
        "opens the revision in force on that date, and the live article lists its references."
    )
    return [
        Triple(reference, _n(RDFS, "comment"), terms.english(note)),
        Triple(reference, _n(RDFS, "seeAlso"), NamedNode(RETRIEVED_REVISION_URL)),
        Triple(reference, _n(RDFS, "seeAlso"), NamedNode(source.ARTICLE_URL)),
    ]


def mention_triples(evidence: Evidence, words: str, resource: NamedNode,
                    curation: NamedNode) -> list[Triple]:
    """A curator's mention ("them" in a quote names kgr:RedArmy) as a Web Annotation that
    identifies (``oa:identifying``) the resource in the span: what lets the support rule
    count a resource as named by words that are not one of its labels."""
    digest = terms.digest(evidence.iri.value, words, resource.value)
    node = NamedNode(iris.resource(f"mention-{digest}"))
    name = resource.value.removeprefix(iris.RESOURCE)
    return [
        Triple(node, _n(RDF, "type"), _n(OA, "Annotation")),
        Triple(node, _n(RDFS, "label"), terms.english(f"{words!r} read as naming {name}")),
        Triple(node, _n(OA, "motivatedBy"), _n(OA, "identifying")),
        Triple(node, _n(OA, "hasTarget"), evidence.iri),
        Triple(node, _n(OA, "hasBody"), resource),
        Triple(node, NamedNode(iris.term("words")), Literal(words)),
        Triple(node, _n(PROV, "wasGeneratedBy"), curation),
    ]
