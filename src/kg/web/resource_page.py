"""The resource page (``resource.html``): what the store says about one resource, for people.

It reads the resource's description (``kg.web.descriptions``), the same graph its RDF
answer serves, and adds labels, the claims about the resource and, for each quote, its
sentence from the article. It opens with a summary (type, dates, place, main figures);
each fact says how it is known (``kg.web.evidence``), folded until asked for; a
statement or evidence node is titled by its quote, not its hash.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import formats, iris
from kg.web.claims import ClaimView, claim_view
from kg.web.descriptions import description_query
from kg.web.evidence import Evidence, evidence_of, span_evidence
from kg.web.page_sparql import ASSERTED_GRAPHS, Graph, construct, labels, query_link, select
from kg.web.terms import KG, OA, PROV, RDF, RDFS, SKOS, Shown, local_name, shown

CLAIMS_QUERY = """\
CONSTRUCT { ?claim ?p ?o } WHERE { ?claim kg:about %s ; ?p ?o }
"""

INVERSES_QUERY = """\
SELECT ?p ?inverse WHERE {
  VALUES ?p { %s }
  { ?p owl:inverseOf ?inverse } UNION { ?inverse owl:inverseOf ?p }
}
"""

WIKIDATA_MATCHES = {SKOS + "exactMatch": "exact match", SKOS + "closeMatch": "close match"}
#: What the summary at the top shows, in this order, when the resource has it.
SUMMARY = (KG + "startDate", KG + "endDate", KG + "pointInTime", KG + "timeQualifier",
           KG + "location", KG + "territory", KG + "partOf", KG + "belligerent",
           KG + "participant")
#: How many figures the summary shows; the claims section lists all.
SUMMARY_FIGURES = 4
#: Facts shown under "Names and links", with their check, rather than with the other facts.
NAMING = set(WIKIDATA_MATCHES)


@dataclass
class Fact:
    value: Shown
    evidence: list[Evidence]

    @property
    def how(self) -> str:
        """One phrase for the folded provenance: how this fact is known."""
        kinds = {e.kind for e in self.evidence}
        if "stated" in kinds:
            return "the article says"
        if "linked" in kinds:
            return "linked to Wikidata"
        return "the curator inferred" if kinds else ""


@dataclass
class WikidataLink:
    """A QID beside Wikidata's own label, with when and how the link was checked."""

    qid: str
    iri: str
    kind: str  # "exact match" or "close match"
    label: str
    check: str
    when: str


@dataclass
class ResourcePage:
    iri: str
    label: str
    types: list[Shown]
    comments: list[Shown]
    other_labels: list[Shown]
    wikidata: list[WikidataLink]
    summary: list[tuple[Shown, list[Shown]]]
    figures: list[ClaimView]
    facts: list[tuple[Shown, list[Fact]]]
    claim: ClaimView | None
    claims: list[ClaimView]
    #: Links to the resource, worded from the other end: ("part of: Invasion of Poland", [...]).
    incoming: list[tuple[str, list[Shown]]]
    data_links: list[tuple[formats.Format, str]]
    query_href: str
    truncated: bool
    #: For a statement or an evidence node: the quote (or activity) it stands for.
    evidence: list[Evidence] = field(default_factory=list)
    #: For a statement: the fact it records (subject, property, value).
    statement: tuple[Shown, Shown, Shown] | None = None

    @property
    def has_statements(self) -> bool:
        """Whether any fact has a statement node (provenance nodes themselves have none)."""
        return any(fact.evidence for _, facts in self.facts for fact in facts)


def resource_page(iri: str, triples: list[ox.Triple], truncated: bool,
                  rdf_formats: tuple[formats.Format, ...]) -> ResourcePage:
    """Everything the resource page shows, from the description and a few small queries."""
    subject = ox.NamedNode(iri)
    graph = Graph(triples)
    claim_subjects = sorted({t.subject for t in triples if t.predicate.value == KG + "about"
                             and t.object == subject}, key=str)
    claims_graph = Graph(construct(CLAIMS_QUERY % str(subject), ASSERTED_GRAPHS)[0]
                         if claim_subjects else [])
    names = labels(graph.iris() | claims_graph.iris())

    statements = defaultdict(list)  # (predicate, object) -> statement nodes
    for statement in {t.subject for t in triples if t.predicate.value == RDF + "subject"
                      and t.object == subject}:
        predicate = graph.value(statement, RDF + "predicate")
        value = graph.value(statement, RDF + "object")
        if predicate is not None and value is not None:
            statements[(predicate.value, value)].append(statement)

    def facts_of(predicate: str) -> list[Fact]:
        return [Fact(shown(value, names),
                     [e for statement in sorted(statements[(predicate, value)], key=str)
                      for e in evidence_of(graph, statement, names)])
                for value in graph.objects(subject, predicate)]

    own = graph.index.get(subject, {})
    facts = [(shown(ox.NamedNode(p), names), facts_of(p))
             for p in sorted(own, key=lambda p: (p != RDF + "type", names.get(p, local_name(p))))
             if p not in NAMING]
    label = next((t.value for t in own.get(RDFS + "label", [])
                  if isinstance(t, ox.Literal) and t.language in (None, "en")), None)
    types = {t.value for t in own.get(RDF + "type", [])}
    evidence, statement = [], None
    if RDF + "Statement" in types:
        evidence = evidence_of(graph, subject, names)
        statement = tuple(shown(graph.value(subject, RDF + p), names)
                          for p in ("subject", "predicate", "object")
                          if graph.value(subject, RDF + p) is not None) or None
        label = label or _quote_title(evidence) or " · ".join(s.text for s in statement or ())
    elif OA + "SpecificResource" in types:
        evidence = [span_evidence(graph, subject)]
        label = label or _quote_title(evidence)
    is_claim = bool(types & {KG + "QuantityClaim", KG + "PropositionClaim"})
    claims = [claim_view(claims_graph, c, names) for c in claim_subjects]
    return ResourcePage(
        iri=iri,
        label=label or local_name(iri),
        types=[shown(t, names) for t in own.get(RDF + "type", [])],
        # A statement's comment is its reason or check, shown under "How it is known".
        comments=[] if statement else [shown(c, names) for c in own.get(RDFS + "comment", [])],
        other_labels=sorted((shown(t, names) for t in own.get(RDFS + "label", []) +
                             own.get(SKOS + "altLabel", [])
                             if isinstance(t, ox.Literal) and t.value != label),
                            key=lambda s: (s.lang or "", s.text)),
        wikidata=_wikidata_links(own, {p: facts_of(p) for p in WIKIDATA_MATCHES}),
        summary=[(shown(ox.NamedNode(p), names), [shown(v, names) for v in own[p]])
                 for p in SUMMARY if p in own],
        # The figures the article attributes to a side (strength, losses) come first.
        figures=sorted((c for c in claims if c.kind == "quantity"),
                       key=lambda c: not c.sides)[:SUMMARY_FIGURES],
        facts=facts,
        claim=claim_view(graph, subject, names) if is_claim else None,
        claims=claims,
        incoming=_incoming(graph, subject, label or local_name(iri), claim_subjects, names),
        data_links=[(f, iris.data_route(iri, f.suffix)) for f in rdf_formats],
        query_href=query_link(description_query(iri)),
        truncated=truncated,
        evidence=evidence,
        statement=statement,
    )


def _quote_title(evidence: list[Evidence]) -> str:
    """A provenance node's title: its quote, shortened ("“3,000–7,000 dead or missing”")."""
    exact = next((e.exact for e in evidence if e.exact), "")
    if not exact:
        return ""
    return "“" + (exact if len(exact) <= 90 else exact[:88].rstrip() + "…") + "”"


def _wikidata_links(own: dict, facts: dict[str, list[Fact]]) -> list[WikidataLink]:
    links = []
    for predicate, kind in WIKIDATA_MATCHES.items():
        for fact in facts[predicate]:
            if not (fact.value.iri or "").startswith(iris.WIKIDATA_ENTITY):
                continue
            check = next((e for e in fact.evidence if e.kind == "linked"), None)
            links.append(WikidataLink(
                qid=local_name(fact.value.iri), iri=fact.value.iri, kind=kind,
                label=check.wikidata_label if check else "",
                check=check.check if check else "", when=check.when if check else ""))
    return sorted(links, key=lambda link: (link.kind, link.qid))


def _incoming(graph: Graph, subject, label: str, claim_subjects,
              names: dict[str, str]) -> list[tuple[str, list[Shown]]]:
    """Links to the resource from other resources, worded from their end ("part of: X"),
    leaving out provenance nodes, claims, and links the inverse property already shows."""
    provenance = {t.subject for t in graph.triples
                  if t.predicate.value in (RDF + "subject", OA + "hasSource")}
    skip = {RDF + "subject", RDF + "object", PROV + "used", PROV + "wasDerivedFrom"}
    incoming = defaultdict(list)
    for t in graph.triples:
        if t.object == subject and t.subject != subject and t.subject not in provenance \
                and t.subject not in claim_subjects and t.predicate.value not in skip:
            incoming[t.predicate.value].append(t.subject)
    if not incoming:
        return []
    values = " ".join(str(ox.NamedNode(p)) for p in incoming)
    inverses = defaultdict(set)
    for row in select(INVERSES_QUERY % values):
        inverses[row["p"]["value"]].add(row["inverse"]["value"])
    groups = []
    for predicate, subjects in incoming.items():
        shown_already = {o for inverse in inverses[predicate]
                         for o in graph.objects(subject, inverse)}
        rest = [s for s in subjects if s not in shown_already]
        if rest:
            name = shown(ox.NamedNode(predicate), names).text
            groups.append((f"{name}: {label}",
                           sorted((shown(s, names) for s in set(rest)), key=lambda s: s.text)))
    return sorted(groups)
