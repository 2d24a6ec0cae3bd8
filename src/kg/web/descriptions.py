"""What the store says about one resource: its RDF description, and the page built from it.

The description is one SPARQL CONSTRUCT over the asserted graphs (``DESCRIPTION_QUERY``):
the resource's own triples (facts, labels, links), the ``rdf:Statement`` nodes of its
facts with their evidence (``oa:SpecificResource`` and selectors) or the ``prov:Activity``
that produced them, and the triples that point at it. The RDF answer of ``/resource/X``
is exactly that graph; the HTML page reads the same graph and adds labels, the claims
about the resource and, for each quote, its sentence from the article.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from kg import formats, iris
from kg.source import article_text
from kg.source.sentences import enclosing, sentence_spans
from kg.store import QueryRequest
from kg.web import settings, store

RDF = iris.PREFIXES["rdf"]
RDFS = iris.PREFIXES["rdfs"]
OA = iris.PREFIXES["oa"]
PROV = iris.PREFIXES["prov"]
SKOS = iris.PREFIXES["skos"]
XSD = iris.PREFIXES["xsd"]
KG = iris.ONTOLOGY_NS

#: The graphs as written: a page shows what the data says, not what a reasoner added.
ASSERTED_GRAPHS = (iris.ONTOLOGY_GRAPH, iris.DATA_GRAPH)
#: How a statement reaches its evidence span or the activity that produced it.
PROVENANCE_PATH = "(prov:wasDerivedFrom|prov:wasGeneratedBy|oa:hasSelector)+"

DESCRIPTION_QUERY = """\
# The description of {iri}: its facts, their statements and evidence, and links to it,
# as asserted (the ontology and data graphs, not what the reasoner added).
CONSTRUCT {{ ?s ?p ?o }}
{graphs}
WHERE {{
  {{ {iri} ?p ?o BIND({iri} AS ?s) }}
  UNION {{ ?s rdf:subject {iri} ; ?p ?o }}
  UNION {{ ?statement rdf:subject {iri} . ?statement {path} ?s . ?s ?p ?o }}
  UNION {{ {iri} {path} ?s . ?s ?p ?o }}
  UNION {{ ?s ?p {iri} BIND({iri} AS ?o) }}
}}
"""

CLAIMS_QUERY = """\
CONSTRUCT { ?claim ?p ?o } WHERE { ?claim kg:about %s ; ?p ?o }
"""

LABELS_QUERY = """\
SELECT ?iri ?label WHERE {
  VALUES ?iri { %s }
  ?iri rdfs:label ?label
  FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))
}
"""

WIKIDATA_MATCHES = {SKOS + "exactMatch": "exact match", SKOS + "closeMatch": "close match"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
#: Literals longer than this (the article's whole text) are folded away on a page.
LONG_LITERAL = 400


def description_query(iri: str) -> str:
    """The CONSTRUCT that yields a resource's description (also offered on its page)."""
    graphs = "\n".join(f"FROM {ox.NamedNode(g)}" for g in ASSERTED_GRAPHS)
    return DESCRIPTION_QUERY.format(iri=str(ox.NamedNode(iri)), path=PROVENANCE_PATH,
                                    graphs=graphs)


def _construct(sparql: str, graphs: tuple[str, ...] = ()) -> tuple[list[ox.Triple], bool]:
    """The triples a CONSTRUCT yields from ``graphs`` (or its own FROM) through the evaluator
    processes, so the server's timeout and row limit apply; and whether the limit cut them."""
    answer = store().query(QueryRequest(sparql, results_format=None, graph_format="nt",
                                        default_graphs=graphs, max_rows=settings().max_rows))
    triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
    return triples, answer.truncated


def describe(iri: str) -> tuple[list[ox.Triple], bool]:
    """The description of ``iri`` (empty when the store knows nothing of it), and whether
    the row limit cut it."""
    return _construct(description_query(iri))


def serialize(triples: list[ox.Triple], format_name: str, first: str | None = None) -> bytes:
    """The triples in a format, sorted so that each subject's triples stay together (the
    ``first`` subject, the resource described, at the top)."""
    ordered = sorted(triples, key=lambda t: (t.subject.value != first, str(t.subject),
                                             str(t.predicate), str(t.object)))
    return ox.serialize(ordered, format=formats.BY_NAME[format_name].oxigraph,
                        prefixes=iris.PREFIXES)


def labels(wanted) -> dict[str, str]:
    """The English (or untagged) label of each IRI that has one, from every graph."""
    wanted = sorted({i for i in wanted if i})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        values = " ".join(str(ox.NamedNode(i)) for i in wanted[start:start + 500])
        for row in select(LABELS_QUERY % values):
            label = row["label"]
            # An English label wins over an untagged one.
            if row["iri"]["value"] not in found or label.get("xml:lang"):
                found[row["iri"]["value"]] = label["value"]
    return found


def query_link(sparql: str) -> str:
    """The query page, opened on ``sparql`` (it runs what it finds after ``#query=``)."""
    return iris.QUERY_ROUTE + "#query=" + quote(sparql, safe="")


# --- Terms as shown on pages -------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """An RDF term as a page shows it: text, where it links, its language and datatype."""

    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    iri: str | None = None
    long: bool = False


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def format_literal(value: str, datatype: str) -> str:
    """A literal as a reader writes it: ``17 September 1939``, ``320,000``."""
    try:
        if datatype == XSD + "date":
            year, month, day = value.split("-")
            return f"{int(day)} {MONTHS[int(month) - 1]} {year}"
        if datatype == XSD + "gYearMonth":
            year, month = value.split("-")
            return f"{MONTHS[int(month) - 1]} {year}"
        if datatype in (XSD + "integer", XSD + "nonNegativeInteger", XSD + "int"):
            return f"{int(value):,}"
    except (ValueError, IndexError):
        pass
    return value


def shown(term, names: dict[str, str]) -> Shown:
    if isinstance(term, ox.NamedNode):
        return Shown(names.get(term.value) or local_name(term.value) or term.value,
                     iris.href(term.value), iri=term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        plain = datatype in (XSD + "string", RDF + "langString")
        return Shown(format_literal(term.value, datatype), lang=term.language,
                     datatype=None if plain else local_name(datatype),
                     long=len(term.value) > LONG_LITERAL)
    return Shown("(blank node)")


# --- Evidence -------------------------------------------------------------------------


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


class Graph:
    """A description indexed by subject: ``graph[s][p]`` lists the objects."""

    def __init__(self, triples):
        self.triples = list(triples)
        self.index: dict = defaultdict(lambda: defaultdict(list))
        for t in self.triples:
            self.index[t.subject][t.predicate.value].append(t.object)

    def objects(self, subject, predicate: str) -> list:
        return self.index.get(subject, {}).get(predicate, [])

    def value(self, subject, predicate: str):
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def iris(self) -> set[str]:
        every = set()
        for t in self.triples:
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, ox.NamedNode):
                    every.add(term.value)
        return every


def _number(term) -> int | None:
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
            start = _number(graph.value(selector, OA + "start"))
            end = _number(graph.value(selector, OA + "end"))
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


# --- Claims -----------------------------------------------------------------------------


@dataclass
class ClaimView:
    """A figure as a range with its sources, or a proposition with who made it."""

    claim: Shown
    kind: str
    value: str = ""
    quantity: Shown | None = None
    proposition: str = ""
    sources: list[Shown] = field(default_factory=list)
    claimants: list[Shown] = field(default_factory=list)
    sides: list[Shown] = field(default_factory=list)


def figure(minimum: int | None, maximum: int | None, approximate: bool) -> str:
    """``3,000–7,000``, ``up to 20,000``, ``at least 200,000``, ``about 320,000``."""
    if minimum is not None and maximum is not None:
        text = f"{minimum:,}" if minimum == maximum else f"{minimum:,}–{maximum:,}"
        return ("about " if approximate else "") + text
    if maximum is not None:
        return f"up to {maximum:,}"
    if minimum is not None:
        return f"at least {minimum:,}"
    return "no figure given"


def claim_view(graph: Graph, claim, names: dict[str, str]) -> ClaimView:
    types = {t.value for t in graph.objects(claim, RDF + "type")}
    approximate = getattr(graph.value(claim, KG + "approximate"), "value", "") == "true"
    view = ClaimView(
        claim=shown(claim, names),
        kind="quantity" if KG + "QuantityClaim" in types else "proposition",
        sources=sorted((shown(s, names) for s in graph.objects(claim, KG + "accordingTo")),
                       key=lambda s: _reference_order(s.text)),
        claimants=[shown(c, names) for c in graph.objects(claim, KG + "claimant")],
        sides=[shown(s, names) for s in graph.objects(claim, KG + "side")],
        proposition=" ".join(p.value for p in graph.objects(claim, KG + "proposition")),
    )
    if view.kind == "quantity":
        view.value = figure(_number(graph.value(claim, KG + "minimum")),
                            _number(graph.value(claim, KG + "maximum")), approximate)
        kind = graph.value(claim, KG + "quantityKind")
        view.quantity = shown(kind, names) if kind is not None else None
    return view


def _reference_order(marker: str) -> tuple:
    """[1] < [4] < [10] < [Note 3]."""
    inner = marker.strip("[]")
    return (not inner.isdigit(), int(inner) if inner.isdigit() else 0, inner)


# --- The resource page ------------------------------------------------------------------


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
    claims_graph = Graph(_construct(CLAIMS_QUERY % str(subject), ASSERTED_GRAPHS)[0]
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


# --- The ontology page ------------------------------------------------------------------

ONTOLOGY_QUERY = "CONSTRUCT WHERE { ?s ?p ?o }"
#: What an ontology term's section shows first; any other property follows, by label.
TERM_ORDER = (RDF + "type", RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain",
              RDFS + "range", iris.PREFIXES["schema"] + "domainIncludes",
              iris.PREFIXES["schema"] + "rangeIncludes")
CLASS_TYPES = {iris.PREFIXES["owl"] + "Class", RDFS + "Class"}


def ontology() -> tuple[list[ox.Triple], bool]:
    """The ontology graph as loaded (``ontology/*.ttl``)."""
    return _construct(ONTOLOGY_QUERY, (iris.ONTOLOGY_GRAPH,))


@dataclass
class TermView:
    anchor: str
    iri: str
    label: str
    comments: list[Shown]
    properties: list[tuple[Shown, list[Shown]]]


@dataclass
class OntologyPage:
    iri: str
    header: list[tuple[Shown, list[Shown]]]
    classes: list[TermView]
    properties: list[TermView]
    data_links: list[tuple[formats.Format, str]]
    query_href: str


def ontology_page(triples: list[ox.Triple], rdf_formats) -> OntologyPage:
    """Each ``kg:`` term of the ontology graph, with its label, comment, domain, range and
    alignment (the subclass, subproperty and SKOS links that alignment.ttl adds)."""
    graph = Graph(triples)
    names = labels(graph.iris())

    def properties_of(subject, skip) -> list[tuple[Shown, list[Shown]]]:
        own = graph.index.get(subject, {})
        order = sorted((p for p in own if p not in skip),
                       key=lambda p: (TERM_ORDER.index(p) if p in TERM_ORDER else len(TERM_ORDER),
                                      names.get(p, local_name(p))))
        return [(shown(ox.NamedNode(p), names),
                 [shown(o, names) for o in own[p] if not isinstance(o, ox.BlankNode)])
                for p in order if any(not isinstance(o, ox.BlankNode) for o in own[p])]

    skip = {RDFS + "label", RDFS + "comment"}
    classes, properties = [], []
    for subject in sorted((s for s in graph.index if isinstance(s, ox.NamedNode)
                           and s.value.startswith(iris.ONTOLOGY_NS)), key=lambda s: s.value):
        own = graph.index[subject]
        view = TermView(
            anchor=subject.value[len(iris.ONTOLOGY_NS):], iri=subject.value,
            label=names.get(subject.value, local_name(subject.value)),
            comments=[shown(c, names) for c in own.get(RDFS + "comment", [])],
            properties=properties_of(subject, skip))
        is_class = any(t.value in CLASS_TYPES for t in own.get(RDF + "type", []))
        (classes if is_class else properties).append(view)
    document = ox.NamedNode(iris.ONTOLOGY)
    return OntologyPage(
        iri=iris.ONTOLOGY,
        header=properties_of(document, set()) if document in graph.index else [],
        classes=classes, properties=properties,
        data_links=[(f, iris.data_route(iris.ONTOLOGY, f.suffix)) for f in rdf_formats],
        query_href=query_link("# The ontology graph\nCONSTRUCT WHERE {\n  GRAPH <"
                              + iris.ONTOLOGY_GRAPH + "> { ?s ?p ?o }\n}"),
    )


def select(sparql: str, graphs: tuple[str, ...] = ()) -> list[dict]:
    """The JSON bindings of a page's own SELECT (the union of all graphs unless named)."""
    answer = store().query(QueryRequest(sparql, results_format="json", graph_format=None,
                                        default_graphs=graphs, max_rows=1_000_000))
    return json.loads(answer.body)["results"]["bindings"]


def shown_binding(binding: dict, names: dict[str, str]) -> Shown:
    """A term of a SPARQL JSON result, shown like ``shown`` shows an RDF term."""
    if binding["type"] == "uri":
        return shown(ox.NamedNode(binding["value"]), names)
    if binding["type"] == "literal":
        if "xml:lang" in binding:
            return shown(ox.Literal(binding["value"], language=binding["xml:lang"]), names)
        datatype = binding.get("datatype", XSD + "string")
        return shown(ox.Literal(binding["value"], datatype=ox.NamedNode(datatype)), names)
    return Shown("(blank node)")
