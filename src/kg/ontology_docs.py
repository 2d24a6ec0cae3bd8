"""Write ``docs/ontology.md``, the ontology's reference page, from ``ontology/*.ttl``.

The page is generated so it never drifts from the Turtle: ``kg docs`` rewrites it,
and a test fails when the committed page differs from what ``render()`` gives.
Output is deterministic (sorted, no timestamps) so regenerating changes nothing
unless the ontology changed.
"""

import sys
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.iris import ONTOLOGY, ONTOLOGY_NS, PREFIXES, PROJECT_ROOT
from kg.validate import ONTOLOGY_FILES

DOCS_FILE = PROJECT_ROOT / "docs" / "ontology.md"

SCHEMA = rdflib.Namespace(PREFIXES["schema"])
DCTERMS = rdflib.Namespace(PREFIXES["dcterms"])
#: Prefixes for the page: the project's, plus the vocabularies the alignment uses.
DOC_PREFIXES = {**PREFIXES, "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/"}
#: Mapping properties shown under "Wikidata", strongest first.
MAPPINGS = ((SKOS.exactMatch, "exact match"), (SKOS.closeMatch, "close match"),
            (SKOS.narrowMatch, "narrower match"), (SKOS.broadMatch, "broader match"))
CHARACTERISTICS = ((OWL.FunctionalProperty, "functional"), (OWL.TransitiveProperty, "transitive"),
                   (OWL.SymmetricProperty, "symmetric"),
                   (OWL.InverseFunctionalProperty, "inverse functional"))


def load_ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path, format="turtle")
    return graph


def is_term(node) -> bool:
    return isinstance(node, rdflib.URIRef) and node.startswith(ONTOLOGY_NS)


def local(node) -> str:
    return node[len(ONTOLOGY_NS):]


def anchor(node) -> str:
    """The section id of a kg: term. Classes are CamelCase and properties camelCase in
    this ontology; the prefix keeps kg:Territory and kg:territory apart even where
    ids are matched without regard to case."""
    name = local(node)
    return ("class-" if name[0].isupper() else "property-") + name


def link(node) -> str:
    """A term as a Markdown link: to its section for kg: terms, to its IRI otherwise."""
    if is_term(node):
        return f"[kg:{local(node)}](#{anchor(node)})"
    if isinstance(node, rdflib.URIRef):
        for prefix, namespace in sorted(DOC_PREFIXES.items(), key=lambda item: -len(item[1])):
            if node.startswith(namespace):
                return f"[{prefix}:{node[len(namespace):]}]({node})"
        return f"<{node}>"
    return str(node)


def english(graph: rdflib.Graph, node, predicate) -> str:
    values = [v for v in graph.objects(node, predicate) if getattr(v, "language", None) == "en"]
    return str(min(values)) if values else ""


def links(nodes) -> str:
    return ", ".join(link(n) for n in sorted(nodes)) or "—"


def terms_of_type(graph: rdflib.Graph, rdf_type) -> list:
    return sorted(s for s in graph.subjects(RDF.type, rdf_type) if is_term(s))


def restrictions(graph: rdflib.Graph, cls) -> list[str]:
    """The OWL restrictions on a class, as "kg:about: at least 1" ("some" restrictions
    too: ``owl:someValuesFrom X`` says at least one value, of X unless X is any)."""
    words = ((OWL.cardinality, "exactly"), (OWL.minCardinality, "at least"),
             (OWL.maxCardinality, "at most"))
    found = []
    for restriction in graph.objects(cls, RDFS.subClassOf):
        if not isinstance(restriction, rdflib.BNode):
            continue
        prop = graph.value(restriction, OWL.onProperty)
        for predicate, word in words:
            value = graph.value(restriction, predicate)
            if value is not None:
                found.append(f"{link(prop)}: {word} {value}")
        filler = graph.value(restriction, OWL.someValuesFrom)
        if filler is not None:
            found.append(f"{link(prop)}: at least 1"
                         + ("" if filler in (OWL.Thing, RDFS.Literal) else f" {link(filler)}"))
    return sorted(found)


def alignment_lines(graph: rdflib.Graph, term, super_property) -> list[str]:
    lines = []
    external = [o for o in graph.objects(term, super_property)
                if isinstance(o, rdflib.URIRef) and not is_term(o)]
    if external:
        kind = "subclass" if super_property == RDFS.subClassOf else "subproperty"
        lines.append(f"- Aligned with ({kind} of): {links(external)}")
    equivalent = list(graph.objects(term, OWL.equivalentClass)) + list(
        graph.objects(term, OWL.equivalentProperty))
    if equivalent:
        lines.append(f"- Equivalent to: {links(equivalent)}")
    for predicate, word in MAPPINGS:
        targets = list(graph.objects(term, predicate))
        if targets:
            lines.append(f"- Wikidata ({word}): {links(targets)}")
    return lines


def class_tree(graph: rdflib.Graph, classes: list, parent=None, depth=0) -> list[str]:
    lines = []
    for cls in classes:
        parents = [p for p in graph.objects(cls, RDFS.subClassOf) if is_term(p)]
        if (parent is None and not parents) or parent in parents:
            lines.append(f"{'  ' * depth}- {link(cls)} — {english(graph, cls, RDFS.label)}")
            lines.extend(class_tree(graph, classes, cls, depth + 1))
    return lines


def class_section(graph: rdflib.Graph, cls, classes: list) -> list[str]:
    lines = [f'<a id="{anchor(cls)}"></a>', f"### kg:{local(cls)}", "",
             f"**{english(graph, cls, RDFS.label)}**. {english(graph, cls, RDFS.comment)}", ""]
    supers = [p for p in graph.objects(cls, RDFS.subClassOf) if is_term(p)]
    subs = [c for c in classes if cls in graph.objects(c, RDFS.subClassOf)]
    if supers:
        lines.append(f"- Subclass of: {links(supers)}")
    if subs:
        lines.append(f"- Subclasses: {links(subs)}")
    for text in restrictions(graph, cls):
        lines.append(f"- Restriction: {text}")
    lines.extend(alignment_lines(graph, cls, RDFS.subClassOf))
    return lines + [""]


def domain_or_range(graph: rdflib.Graph, prop, strict, includes) -> str:
    declared = list(graph.objects(prop, strict))
    if declared:
        return links(declared)
    meant = list(graph.objects(prop, includes))
    return f"one of {links(meant)} (not declared: OWL Lite has no unions)" if meant else "—"


def property_section(graph: rdflib.Graph, prop) -> list[str]:
    is_object = (prop, RDF.type, OWL.ObjectProperty) in graph
    kind = "object property" if is_object else "datatype property"
    lines = [f'<a id="{anchor(prop)}"></a>', f"### kg:{local(prop)}", "",
             f"**{english(graph, prop, RDFS.label)}** ({kind}). "
             f"{english(graph, prop, RDFS.comment)}", "",
             f"- Domain: {domain_or_range(graph, prop, RDFS.domain, SCHEMA.domainIncludes)}",
             f"- Range: {domain_or_range(graph, prop, RDFS.range, SCHEMA.rangeIncludes)}"]
    if (prop, RDFS.range, RDFS.Literal) in graph and (prop, SCHEMA.rangeIncludes, None) in graph:
        lines[-1] += f"; values are {links(graph.objects(prop, SCHEMA.rangeIncludes))}"
    characteristics = [word for rdf_type, word in CHARACTERISTICS
                       if (prop, RDF.type, rdf_type) in graph]
    inverse = list(graph.objects(prop, OWL.inverseOf))
    if inverse:
        characteristics.append(f"inverse of {links(inverse)}")
    if characteristics:
        lines.append(f"- Characteristics: {', '.join(characteristics)}")
    supers = [p for p in graph.objects(prop, RDFS.subPropertyOf) if is_term(p)]
    if supers:
        lines.append(f"- Subproperty of: {links(supers)}")
    lines.extend(alignment_lines(graph, prop, RDFS.subPropertyOf))
    return lines + [""]


def render(graph: rdflib.Graph | None = None) -> str:
    """The whole page, as Markdown."""
    graph = graph if graph is not None else load_ontology()
    ontology = rdflib.URIRef(ONTOLOGY)
    classes = terms_of_type(graph, OWL.Class)
    object_properties = terms_of_type(graph, OWL.ObjectProperty)
    datatype_properties = terms_of_type(graph, OWL.DatatypeProperty)
    lines = [
        f"# {english(graph, ontology, DCTERMS.title)}",
        "",
        "<!-- Generated by `kg docs` from ontology/kg.ttl and ontology/alignment.ttl;"
        " do not edit by hand. -->",
        "",
        english(graph, ontology, RDFS.comment),
        "",
        f"- Ontology IRI: <{ontology}>",
        f"- Version IRI: <{graph.value(ontology, OWL.versionIRI)}>",
        f"- Licence: <{graph.value(ontology, DCTERMS.license)}>",
        f"- Created: {graph.value(ontology, DCTERMS.created)}",
        f"- Terms: {len(classes)} classes, {len(object_properties)} object properties,"
        f" {len(datatype_properties)} datatype properties",
        "- Prefixes: " + ", ".join(f"`{p}:` <{DOC_PREFIXES[p]}>" for p in ("kg", "kgr")),
        "",
        "The ontology stays within OWL Lite. Properties used on two classes (OWL Lite has"
        " no unions) have no declared domain or range; the classes they are meant for are"
        " given with `schema:domainIncludes` / `schema:rangeIncludes`. Alignments to"
        " schema.org, SEM, PROV-O and Wikidata are in `ontology/alignment.ttl`; Wikidata"
        " links use SKOS mapping properties, never `owl:sameAs`.",
        "",
        "## Class hierarchy",
        "",
        *class_tree(graph, classes),
        "",
        "## Classes",
        "",
    ]
    for cls in classes:
        lines.extend(class_section(graph, cls, classes))
    lines += ["## Object properties", ""]
    for prop in object_properties:
        lines.extend(property_section(graph, prop))
    lines += ["## Datatype properties", ""]
    for prop in datatype_properties:
        lines.extend(property_section(graph, prop))
    return "\n".join(lines).rstrip("\n") + "\n"


def add_arguments(parser) -> None:
    parser.add_argument("--output", type=Path, default=DOCS_FILE,
                        help="where to write the page (default: docs/ontology.md)")


def run(args) -> int:
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
