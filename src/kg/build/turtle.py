"""A byte-stable Turtle writer: same triples, same bytes.

General serializers order subjects by hash or insertion and may pick different
prefixes from run to run; a committed release file that a test compares byte for
byte needs neither. Terms are written in their N-Triples form (which pyoxigraph
produces and Turtle reads), IRIs shortened with the project's fixed prefixes,
subjects and their predicate/object pairs sorted, ``rdf:type`` first as ``a``.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Triple

from kg import iris

from .terms import RDF_TYPE

#: Local names safe to write as prefixed names without escaping.
SAFE_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
#: Longest namespace first, so kgr: wins over a shorter namespace it starts with.
_NAMESPACES = sorted(iris.PREFIXES.items(), key=lambda item: -len(item[1]))


def iri(node: NamedNode) -> str:
    """``prefix:local`` when a project prefix fits, else ``<iri>``."""
    for prefix, namespace in _NAMESPACES:
        if node.value.startswith(namespace):
            local = node.value[len(namespace) :]
            if SAFE_LOCAL.match(local):
                return f"{prefix}:{local}"
    return str(node)


def term(node) -> str:
    """A subject, predicate or object in Turtle."""
    if isinstance(node, NamedNode):
        return iri(node)
    if isinstance(node, Literal):
        if node.language or node.datatype.value == iris.PREFIXES["xsd"] + "string":
            return str(node)
        lexical = str(Literal(node.value))  # the escaped quoted lexical form
        return f"{lexical}^^{iri(node.datatype)}"
    raise TypeError(f"no blank nodes or quoted triples in the data: {node!r}")


def serialize(triples: Iterable[Triple], header: str = "") -> str:
    """The triples as Turtle: every project prefix declared, subjects sorted by IRI."""
    by_subject: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for triple in triples:
        pred = "a" if triple.predicate == RDF_TYPE else term(triple.predicate)
        by_subject[term(triple.subject)].add((pred, term(triple.object)))
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in sorted(iris.PREFIXES.items())]
    for subject in sorted(by_subject):
        pairs = sorted(by_subject[subject], key=lambda po: (po[0] != "a", po))
        lines.append("")
        lines.append(subject)
        for index, (pred, obj) in enumerate(pairs):
            end = " ." if index == len(pairs) - 1 else " ;"
            lines.append(f"    {pred} {obj}{end}")
    return "\n".join(lines) + "\n"
