"""Check data against the SHACL shapes of ``ontology/shapes.ttl``.

``kg validate`` validates ``data/triples.ttl``, or the Turtle files given, with
pyshacl, the ontology (``kg.ttl`` + ``alignment.ttl``) mixed in so that a shape
targeting ``kg:Event`` also reaches a ``kg:Invasion``, and checks that every kg:
term the data uses is declared in the ontology. It prints one line per
violation (offending node, property, message) or ``OK: N triples conform``, and
exits 1 on any violation, so a build or CI step can stop on bad data.
"""

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import rdflib
import rdflib.collection
from pyshacl import validate as shacl_validate
from rdflib.namespace import RDF, SH, NamespaceManager
from rdflib.util import guess_format

from kg.iris import ONTOLOGY_DIR, ONTOLOGY_NS, PREFIXES, TRIPLES_FILE

ONTOLOGY_FILES = (ONTOLOGY_DIR / "kg.ttl", ONTOLOGY_DIR / "alignment.ttl")
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"

#: Exit status when the data does not conform, and when it cannot be read at all.
EXIT_VIOLATIONS = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True, order=True)
class Violation:
    """One failed check, in the terms a curator uses to find and fix it."""

    node: str
    path: str
    message: str
    value: str


@dataclass(frozen=True)
class Report:
    triples: int
    violations: tuple[Violation, ...]

    @property
    def conforms(self) -> bool:
        return not self.violations


def _namespaces() -> NamespaceManager:
    manager = NamespaceManager(rdflib.Graph(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace)
    return manager


_NAMESPACES = _namespaces()


def compact(term: rdflib.term.Node | None) -> str:
    """A term as a curator would write it in Turtle: ``kgr:Lwow``, ``"1939"^^xsd:gYear``."""
    if term is None:
        return "-"
    return term.n3(_NAMESPACES)


_REPEATS = ((SH.oneOrMorePath, "+"), (SH.zeroOrMorePath, "*"), (SH.zeroOrOnePath, "?"))


def render_path(graph: rdflib.Graph, path: rdflib.term.Node | None) -> str:
    """A SHACL property path in SPARQL syntax, such as ``rdf:type/rdfs:subClassOf+``."""
    if not isinstance(path, rdflib.BNode):
        return compact(path)
    if graph.value(path, RDF.first) is not None:
        steps = rdflib.collection.Collection(graph, path)
        return "/".join(render_path(graph, step) for step in steps)
    for predicate, suffix in _REPEATS:
        inner = graph.value(path, predicate)
        if inner is not None:
            return render_path(graph, inner) + suffix
    inner = graph.value(path, SH.inversePath)
    if inner is not None:
        return "^" + render_path(graph, inner)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        steps = rdflib.collection.Collection(graph, alternatives)
        return "(" + "|".join(render_path(graph, step) for step in steps) + ")"
    return compact(path)


def load_graph(paths: list[Path]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format=guess_format(str(path)) or "turtle")
    return graph


def undeclared_terms(data: rdflib.Graph, ontology: rdflib.Graph) -> list[Violation]:
    """Uses of kg: properties and classes the ontology does not declare (typos, mostly).

    A misspelt term would slip past every shape, which only know the right names.
    The check is here rather than in shapes.ttl because it needs every distinct
    predicate of the data: a set lookup in Python, a scan of every triple for
    rdflib's SPARQL engine (seconds on a few thousand triples).
    """
    declared = {s for s in ontology.subjects(RDF.type, None) if s.startswith(ONTOLOGY_NS)}
    found = []
    for predicate in set(data.predicates()):
        if predicate.startswith(ONTOLOGY_NS) and predicate not in declared:
            for subject, value in data.subject_objects(predicate):
                found.append((subject, predicate, value, "property"))
    for subject, value in data.subject_objects(RDF.type):
        if isinstance(value, rdflib.URIRef) and value.startswith(ONTOLOGY_NS) \
                and value not in declared:
            found.append((subject, RDF.type, value, "class"))
    return [
        Violation(
            node=compact(subject),
            path=compact(predicate),
            message=f"{compact(predicate if kind == 'property' else value)} is not a {kind} "
            "of the ontology (see docs/ontology.md): check the spelling.",
            value=compact(value),
        )
        for subject, predicate, value, kind in found
    ]


def validate(data_paths: list[Path]) -> Report:
    """Validate the union of ``data_paths`` against the shapes, with the ontology mixed in."""
    data = load_graph(data_paths)
    ontology = load_graph(list(ONTOLOGY_FILES))
    _conforms, results, _text = shacl_validate(
        data,
        shacl_graph=load_graph([SHAPES_FILE]),
        ont_graph=ontology,
        inference="none",  # the shapes need the class hierarchy only, which mixing in gives
        advanced=True,  # the fact/statement check has a SPARQL target
        allow_warnings=True,
    )
    violations = undeclared_terms(data, ontology)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        violations.append(
            Violation(
                node=compact(results.value(result, SH.focusNode)),
                path=render_path(results, results.value(result, SH.resultPath)),
                message=" / ".join(messages) or "violates " + compact(
                    results.value(result, SH.sourceConstraintComponent)
                ),
                value=compact(results.value(result, SH.value)),
            )
        )
    return Report(triples=len(data), violations=tuple(sorted(set(violations))))


def add_arguments(parser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="RDF files to validate together (default: data/triples.ttl)",
    )


def run(args) -> int:
    paths = args.files or [TRIPLES_FILE]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"kg validate: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_UNREADABLE
    started = time.perf_counter()
    try:
        report = validate(paths)
    except (SyntaxError, ValueError) as error:  # rdflib's parse errors derive from these
        print(f"kg validate: cannot read the data: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    elapsed = time.perf_counter() - started
    for v in report.violations:
        value = "" if v.value in ("-", v.node) else f" (value {v.value})"
        print(f"{v.node} | {v.path} | {v.message}{value}")
    if report.conforms:
        print(f"OK: {report.triples} triples conform")
    else:
        print(f"{len(report.violations)} violations in {report.triples} triples")
    print(f"validated in {elapsed:.2f} s", file=sys.stderr)
    return 0 if report.conforms else EXIT_VIOLATIONS
