"""The resource page (``resource.html``): what the store says about one resource, for people.

It reads the resource's description (``kg.web.descriptions``), the same graph its RDF
answer serves, and adds labels, the claims about the resource and, for each quote, its
sentence from the article.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import formats, iris
from kg.web.claims import ClaimView, claim_view
from kg.web.descriptions import description_query
from kg.web.evidence import Evidence, evidence_of, span_evidence
from kg.web.page_sparql import ASSERTED_GRAPHS, Graph, construct, labels, query_link
from kg.web.terms import KG, OA, RDF, RDFS, SKOS, Shown, local_name, shown

CLAIMS_QUERY = """\
CONSTRUCT { ?claim ?p ?o } WHERE { ?claim kg:about %s ; ?p ?o }
"""

WIKIDATA_MATCHES = {SKOS + "exactMatch": "exact match", SKOS + "closeMatch": "close match"}


@dataclass
class Fact:
    value: Shown
    evidence: list[Evidence]


@dataclass
class ResourcePage:
    iri: str
    label: str
    types: list[Shown]
    comments: list[Shown]
    other_labels: list[Shown]
    wikidata: list[tuple[str, str, str]]  # (QID, concept IRI, "exact match" / "close match")
    facts: list[tuple[Shown, list[Fact]]]
    claim: ClaimView | None
    claims: list[ClaimView]
    incoming: list[tuple[Shown, list[Shown]]]
    data_links: list[tuple[formats.Format, str]]
    query_href: str
    truncated: bool
    #: For a statement or an evidence node: the quote (or activity) it stands for.
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def has_statements(self) -> bool:
        """Whether any fact has a statement node (provenance nodes themselves have none)."""
        return any(fact.evidence for _, facts in self.facts for fact in facts)


def resource_page(iri: str, triples: list[ox.Triple], truncated: bool,
                  rdf_formats: tuple[formats.Format, ...]) -> ResourcePage:
    """Everything the resource page shows, from the description and two small queries."""
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

    facts = []
    for predicate in sorted(graph.index.get(subject, {}),
                            key=lambda p: (p != RDF + "type", names.get(p, local_name(p)))):
        values = []
        for value in graph.objects(subject, predicate):
            evidence = [e for statement in sorted(statements[(predicate, value)], key=str)
                        for e in evidence_of(graph, statement, names)]
            values.append(Fact(shown(value, names), evidence))
        facts.append((shown(ox.NamedNode(predicate), names), values))

    own = graph.index.get(subject, {})
    label = next((t.value for t in own.get(RDFS + "label", [])
                  if isinstance(t, ox.Literal) and t.language in (None, "en")),
                 local_name(iri))
    wikidata = sorted(
        (local_name(o.value), o.value, kind)
        for p, kind in WIKIDATA_MATCHES.items() for o in own.get(p, [])
        if o.value.startswith(iris.WIKIDATA_ENTITY))
    incoming = defaultdict(list)
    statement_nodes = {t.subject for t in triples if t.predicate.value == RDF + "subject"}
    for t in triples:
        if t.object == subject and t.subject != subject and t.subject not in statement_nodes \
                and t.subject not in claim_subjects:
            incoming[t.predicate.value].append(shown(t.subject, names))
    types = {t.value for t in own.get(RDF + "type", [])}
    is_claim = bool(types & {KG + "QuantityClaim", KG + "PropositionClaim"})
    if RDF + "Statement" in types:
        evidence = evidence_of(graph, subject, names)
    elif OA + "SpecificResource" in types:
        evidence = [span_evidence(graph, subject)]
    else:
        evidence = []
    return ResourcePage(
        iri=iri,
        label=label,
        types=[shown(t, names) for t in own.get(RDF + "type", [])],
        comments=[shown(c, names) for c in own.get(RDFS + "comment", [])],
        other_labels=sorted((shown(t, names) for t in own.get(RDFS + "label", []) +
                             own.get(SKOS + "altLabel", [])
                             if isinstance(t, ox.Literal) and t.value != label),
                            key=lambda s: (s.lang or "", s.text)),
        wikidata=wikidata,
        facts=facts,
        claim=claim_view(graph, subject, names) if is_claim else None,
        claims=[claim_view(claims_graph, c, names) for c in claim_subjects],
        incoming=sorted(((shown(ox.NamedNode(p), names), sorted(subjects, key=lambda s: s.text))
                         for p, subjects in incoming.items()), key=lambda pair: pair[0].text),
        data_links=[(f, iris.data_route(iri, f.suffix)) for f in rdf_formats],
        query_href=query_link(description_query(iri)),
        truncated=truncated,
        evidence=evidence,
    )
