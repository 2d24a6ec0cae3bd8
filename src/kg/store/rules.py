"""What the ontology entails for the data, computed inside the store by SPARQL rules.

Users query ``?x a kg:Event`` and expect invasions and conferences too, without writing
``rdfs:subClassOf*``. The entailed graph holds the new triples about the data's ``kgr:``
resources in the ``kg:`` vocabulary that the ontology's axioms give under OWL 2 RL:
subclasses (``cax-sco``), subproperties (``prp-spo1``), domains and ranges
(``prp-dom``, ``prp-rng``), inverse, symmetric and transitive properties (``prp-inv``,
``prp-symp``, ``prp-trp``), and equivalent classes and properties as mutual subclasses and
subproperties. Axiomatic noise (``x a rdfs:Resource``, ``owl:sameAs x``) and triples outside
our vocabulary are not kept.

The schema (a few hundred triples) is closed here in Python, so each rule is one SPARQL
``INSERT … WHERE`` with the closed axioms in a ``VALUES`` block, evaluated by pyoxigraph
over the store itself: the data never leaves the engine, which is what lets ``kg load`` keep
up with a bulk load. Only the property rules feed each other (an inverse of a transitive
closure, a superproperty of an inverse); they run until nothing new appears. Types follow in
one pass, since the class hierarchy is already closed.

An ontology axiom these rules do not implement (an ``owl:someValuesFrom`` restriction used as
a subclass, a property chain, ``owl:sameAs`` between terms, two values of a functional
property in the data, ...) stops the load with a clear message
rather than giving a silently incomplete graph. ``tests/test_entailment.py`` checks that the
result equals owlrl's OWL 2 RL closure on the shipped data, filtered the same way.
"""

from collections import defaultdict
from datetime import UTC, datetime
from importlib.metadata import version

import pyoxigraph as ox

from kg.iris import (
    DATA_GRAPH,
    ENTAILED_GRAPH,
    ONTOLOGY,
    ONTOLOGY_GRAPH,
    ONTOLOGY_NS,
    PREFIXES,
    RESOURCE,
    resource,
    term,
)

RDF, RDFS, OWL, PROV = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["prov"]
RDF_TYPE = RDF + "type"
METHOD = (
    "SPARQL INSERT rules evaluated by pyoxigraph for the OWL 2 RL rules the ontology's axioms "
    "use (cax-sco, cax-eqc, prp-spo1, prp-eqp, prp-dom, prp-rng, prp-inv, prp-symp, prp-trp), "
    "over the ontology graph and the data graph's triples in the kg: vocabulary, to a "
    "fixpoint; kept: new triples whose subject is a kgr: resource and whose predicate, or "
    "class for rdf:type, is a kg: term"
)

#: Axioms with entailments these rules do not compute: the load refuses an ontology using them.
UNSUPPORTED = {
    OWL + "sameAs": "owl:sameAs between terms",
    OWL + "hasValue": "owl:hasValue restrictions",
    OWL + "allValuesFrom": "owl:allValuesFrom restrictions",
    OWL + "cardinality": "owl:cardinality restrictions",
    OWL + "maxCardinality": "owl:maxCardinality restrictions",
    OWL + "maxQualifiedCardinality": "owl:maxQualifiedCardinality restrictions",
    OWL + "propertyChainAxiom": "property chains",
    OWL + "intersectionOf": "class intersections",
    OWL + "unionOf": "class unions",
    OWL + "oneOf": "enumerated classes",
    OWL + "hasKey": "keys",
}


class UnsupportedAxiom(ValueError):
    """The ontology uses an axiom whose entailments the rules would miss."""


def _closure(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Reflexive-transitive closure of a small relation (the class or property hierarchy)."""
    closed = {}
    for start in edges:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        closed[start] = seen
    return closed


def _check_existentials(store: ox.Store, graph: ox.NamedNode) -> None:
    """Refuse an ``owl:someValuesFrom`` restriction whose entailments a query would see.

    As a superclass only ("a quantity claim has some kind"), OWL 2 RL's cls-svf rules make a
    thing a member of the anonymous restriction class and nothing more, which the entailed
    graph (``kg:`` classes only) does not keep. As a subclass or an equivalent class
    ("whoever was killed by an actor is a victim") it types things with a named class."""
    subclass, equivalent = ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(OWL + "equivalentClass")
    for q in store.quads_for_pattern(None, ox.NamedNode(OWL + "someValuesFrom"), None, graph):
        uses = [*store.quads_for_pattern(q.subject, subclass, None, graph),
                *store.quads_for_pattern(q.subject, equivalent, None, graph),
                *store.quads_for_pattern(None, equivalent, q.subject, graph)]
        if uses:
            raise UnsupportedAxiom("the ontology uses owl:someValuesFrom restrictions as "
                                   "subclasses or equivalent classes, which kg load's "
                                   "entailment rules do not implement (kg.store.rules)")


def _check_functional(store: ox.Store, functional: set[str], inverse_functional: set[str]):
    """Refuse data that gives a functional object property two values.

    OWL 2 RL would then make the two values ``owl:sameAs`` (prp-fp, prp-ifp) and copy
    every triple of one to the other, which these rules do not do; data that gives each
    subject one value (as the ontology says it must) entails nothing from the axiom."""
    data = f"<{DATA_GRAPH}>"
    for p in sorted(functional):
        if store.query(f"ASK {{ GRAPH {data} {{ ?s <{p}> ?a, ?b FILTER(?a != ?b) }} }}"):
            raise UnsupportedAxiom(f"the data gives something two values of the functional "
                                   f"property <{p}>, whose owl:sameAs entailments kg load's "
                                   "rules do not implement (kg.store.rules)")
    for p in sorted(inverse_functional):
        if store.query(f"ASK {{ GRAPH {data} {{ ?a <{p}> ?o . ?b <{p}> ?o FILTER(?a != ?b) }} }}"):
            raise UnsupportedAxiom(f"the data gives two things one value of the inverse "
                                   f"functional property <{p}>, whose owl:sameAs entailments "
                                   "kg load's rules do not implement (kg.store.rules)")


class Schema:
    """The ontology's axioms, closed: what each class and property implies."""

    def __init__(self, store: ox.Store):
        graph = ox.NamedNode(ONTOLOGY_GRAPH)

        def pairs(predicate: str):
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                    yield q.subject.value, q.object.value

        def typed(cls: str) -> set[str]:
            return {q.subject.value for q in store.quads_for_pattern(
                None, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls), graph)
                if isinstance(q.subject, ox.NamedNode)}

        for predicate, what in UNSUPPORTED.items():
            if next(store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph), None):
                raise UnsupportedAxiom(f"the ontology uses {what}, which kg load's entailment "
                                       "rules do not implement (kg.store.rules)")
        _check_existentials(store, graph)
        _check_functional(store, typed(OWL + "FunctionalProperty") & typed(OWL + "ObjectProperty"),
                          typed(OWL + "InverseFunctionalProperty"))

        sub_class, sub_property = defaultdict(set), defaultdict(set)
        for sub, sup in pairs(RDFS + "subClassOf"):
            sub_class[sub].add(sup)
        for a, b in pairs(OWL + "equivalentClass"):
            sub_class[a].add(b)
            sub_class[b].add(a)
        for sub, sup in pairs(RDFS + "subPropertyOf"):
            sub_property[sub].add(sup)
        for a, b in pairs(OWL + "equivalentProperty"):
            sub_property[a].add(b)
            sub_property[b].add(a)
        self.superclasses = _closure(sub_class)
        self.superproperties = _closure(sub_property)
        self.inverses = set(pairs(OWL + "inverseOf"))
        self.inverses |= {(b, a) for a, b in self.inverses}
        self.inverses |= {(p, p) for p in typed(OWL + "SymmetricProperty")}
        self.transitive = sorted(typed(OWL + "TransitiveProperty"))
        for p in [p for pair in self.inverses for p in pair] + self.transitive:
            if not p.startswith(ONTOLOGY_NS):
                raise UnsupportedAxiom(f"<{p}> is inverse, symmetric or transitive but not a "
                                       "kg: term; kg load's rules only follow kg: properties")
        self.domains = defaultdict(set)
        self.ranges = defaultdict(set)
        for p, c in pairs(RDFS + "domain"):
            self.domains[p].add(c)
        for p, c in pairs(RDFS + "range"):
            self.ranges[p].add(c)

    def kept_superclasses(self, cls: str) -> set[str]:
        return {c for c in self.superclasses.get(cls, {cls}) if c.startswith(ONTOLOGY_NS)}

    def subproperty_pairs(self) -> list[tuple[str, str]]:
        """(p, q): a kg: triple with p implies one with q (q a kg: superproperty)."""
        return sorted((p, q) for p, ups in self.superproperties.items()
                      if p.startswith(ONTOLOGY_NS)
                      for q in ups if q != p and q.startswith(ONTOLOGY_NS))

    def typing_pairs(self, axioms: dict[str, set[str]]) -> list[tuple[str, str]]:
        """(p, c): the subject (domain) or object (range) of a kg: triple with p is a c.

        A property inherits its superproperties' domains and ranges, and a class its
        superclasses, so one pass over the closed property triples gives every type."""
        properties = {p for p in {*self.superproperties, *axioms} if p.startswith(ONTOLOGY_NS)}
        return sorted({(p, k) for p in properties for q in self.superproperties.get(p, {p})
                       for c in axioms.get(q, ()) for k in self.kept_superclasses(c)})

    def subclass_pairs(self) -> list[tuple[str, str]]:
        return sorted((c, k) for c in self.superclasses if c.startswith(ONTOLOGY_NS)
                      for k in self.kept_superclasses(c) if k != c)


def _values(names: str, rows: list[tuple[str, str]]) -> str:
    return f"VALUES ({names}) {{ " + " ".join(f"(<{a}> <{b}>)" for a, b in rows) + " }"


_KEPT_SUBJECT = f'isIRI(?s) && STRSTARTS(STR(?s), "{RESOURCE}")'


def _rule(head: str, body: str, kept_only: bool = False) -> str:
    """INSERT the head's triples that are new, reading the data and the entailments so far.

    The default graph of the rule is the union of both (``USING``), so ``NOT EXISTS`` there
    skips what is asserted or already entailed: nothing is written twice, and a round of
    the fixpoint that writes nothing ends it."""
    if kept_only:
        # Many premises give the same type (every participant of an event gives it
        # kg:Event): check each distinct conclusion once.
        body = f"{{ SELECT DISTINCT ?s ?c WHERE {{ {body} FILTER({_KEPT_SUBJECT}) }} }}"
    return (f"INSERT {{ GRAPH <{ENTAILED_GRAPH}> {{ {head} }} }} "
            f"USING <{DATA_GRAPH}> USING <{ENTAILED_GRAPH}> "
            f"WHERE {{ {body} FILTER NOT EXISTS {{ {head} }} }}")


def _property_rules(schema: Schema) -> list[str]:
    rules = []
    if pairs := schema.subproperty_pairs():
        rules.append(_rule("?s ?q ?o", f"{_values('?p ?q', pairs)} ?s ?p ?o"))
    if pairs := sorted(schema.inverses):
        rules.append(_rule("?o ?q ?s", f"{_values('?p ?q', pairs)} ?s ?p ?o "
                                       "FILTER(!isLiteral(?o))"))
    rules += [_rule(f"?s <{p}> ?o", f"?s <{p}>/<{p}>+ ?o") for p in schema.transitive]
    return rules


def _type_rules(schema: Schema) -> list[str]:
    """Types from domains, ranges and superclasses: one pass, the hierarchy being closed."""
    rules = []
    if pairs := schema.typing_pairs(schema.domains):
        rules.append(_rule("?s a ?c", f"{_values('?p ?c', pairs)} ?s ?p ?o", kept_only=True))
    if pairs := schema.typing_pairs(schema.ranges):
        rules.append(_rule("?s a ?c", f"{_values('?p ?c', pairs)} ?o ?p ?s", kept_only=True))
    if pairs := schema.subclass_pairs():
        rules.append(_rule("?s a ?c", f"{_values('?d ?c', pairs)} ?s a ?d", kept_only=True))
    return rules


def _size(store: ox.Store) -> int:
    (row,) = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTAILED_GRAPH}> {{ ?s ?p ?o }} }}")
    return int(row["n"].value)


def entail(store: ox.Store, sources_hash: str) -> int:
    """Write the entailed triples and the prov:Activity that made them into ENTAILED_GRAPH.

    Returns the number of entailed triples (the activity's own triples not counted)."""
    started = datetime.now(UTC)
    schema = Schema(store)
    property_rules = _property_rules(schema)
    size = -1
    while property_rules and size != (size := _size(store)):
        for rule in property_rules:
            store.update(rule)
    # Property triples about other subjects were only steps (an inverse back to a kgr:).
    store.update(f"""DELETE {{ GRAPH <{ENTAILED_GRAPH}> {{ ?s ?p ?o }} }}
        WHERE {{ GRAPH <{ENTAILED_GRAPH}> {{ ?s ?p ?o }} FILTER(!({_KEPT_SUBJECT})) }}""")
    for rule in _type_rules(schema):
        store.update(rule)
    count = _size(store)
    _add_activity(store, sources_hash, started)
    return count


def _add_activity(store: ox.Store, sources_hash: str, started: datetime) -> None:
    target = ox.NamedNode(ENTAILED_GRAPH)
    activity = ox.NamedNode(resource(f"entailment-{sources_hash[:12]}"))
    xsd_datetime = ox.NamedNode(PREFIXES["xsd"] + "dateTime")
    quads = []

    def add(subject, predicate, obj):
        quads.append(ox.Quad(subject, ox.NamedNode(predicate), obj, target))

    add(activity, RDF_TYPE, ox.NamedNode(PROV + "Activity"))
    add(activity, RDFS + "label", ox.Literal("Entailment of the data by the ontology"))
    add(activity, term("method"), ox.Literal(METHOD))
    add(activity, PROV + "used", ox.NamedNode(ONTOLOGY))
    add(activity, PROV + "used", ox.NamedNode(DATA_GRAPH))
    add(activity, PROV + "wasAssociatedWith",
        ox.NamedNode(f"https://pypi.org/project/pyoxigraph/{version('pyoxigraph')}/"))
    add(activity, PROV + "startedAtTime", ox.Literal(started.isoformat(), datatype=xsd_datetime))
    add(activity, PROV + "endedAtTime",
        ox.Literal(datetime.now(UTC).isoformat(), datatype=xsd_datetime))
    add(target, PROV + "wasGeneratedBy", activity)
    store.extend(quads)
