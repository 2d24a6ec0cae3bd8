"""From the curated YAML's compact notation to RDF terms, and the IRIs the build mints.

The YAML writes ``[SovietInvasionOfPoland, startDate, {date: 1939-09-17}]``: a
subject local name (kgr:), a property local name (kg:) or prefixed name
(``rdfs:label``), ``a`` for rdf:type (its object a kg: class), and an object that
is a kgr: local name or a one-key mapping naming the literal's type. Statement and
evidence IRIs are hashes of their content, so they stay the same from build to build
and change only when the fact or the span does.
"""

import datetime
import hashlib
from decimal import Decimal

from pyoxigraph import Literal, NamedNode

from kg import iris

XSD = iris.PREFIXES["xsd"]
RDF_TYPE = NamedNode(iris.PREFIXES["rdf"] + "type")

#: YAML literal keys -> XSD datatypes; ``{text: ..., lang: ...}`` is a language-tagged string.
LITERAL_TYPES = {
    "date": "date",
    "gYearMonth": "gYearMonth",
    "gYear": "gYear",
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
    "string": "string",
    "dateTime": "dateTime",
}

#: Hex digits of SHA-256 kept in minted IRIs: 48 bits, collisions are checked at build time.
HASH_HEX = 12


class TermError(ValueError):
    """A compact term the build cannot read."""


def prefixed(name: str) -> NamedNode:
    """``rdfs:label`` -> the full IRI, with the project's prefixes."""
    prefix, _, local = name.partition(":")
    if prefix not in iris.PREFIXES:
        raise TermError(f"unknown prefix in {name!r}")
    return NamedNode(iris.PREFIXES[prefix] + local)


def resource(name: str) -> NamedNode:
    """A subject or object: a kgr: local name, or a prefixed name such as ``wd:Q36``."""
    if not isinstance(name, str) or not name:
        raise TermError(f"a resource is a local name, got {name!r}")
    return prefixed(name) if ":" in name else NamedNode(iris.resource(name))


def ontology_class(name: str) -> NamedNode:
    """The object of ``a``: a kg: class local name, or a prefixed name."""
    return prefixed(name) if ":" in name else NamedNode(iris.term(name))


def predicate(name: str) -> NamedNode:
    """``a`` -> rdf:type, ``rdfs:label`` -> itself, ``startDate`` -> kg:startDate."""
    if name == "a":
        return RDF_TYPE
    return prefixed(name) if ":" in name else NamedNode(iris.term(name))


def typed(datatype: str, value) -> Literal:
    """A literal of an XSD datatype, from a YAML scalar (YAML reads 1939-09-17 as a date)."""
    if isinstance(value, bool):
        lexical = "true" if value else "false"
    elif isinstance(value, datetime.date):
        lexical = value.isoformat()
    else:
        lexical = str(value)
    if datatype == "integer":
        int(lexical)  # refuses "4,736" and "13.5": numbers are never strings with commas
    if datatype == "decimal":
        lexical = str(Decimal(lexical))
    if datatype == "string":
        return Literal(lexical)
    return Literal(lexical, datatype=NamedNode(XSD + datatype))


def english(text: str) -> Literal:
    """An English label or phrase."""
    return Literal(str(text), language="en")


def number(value) -> Literal:
    """A figure: xsd:integer when whole, xsd:decimal otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TermError(f"not a number: {value!r}")
    if isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit()):
        return typed("integer", value)
    return typed("decimal", value)


def object_term(pred: NamedNode, value):
    """A compact fact's object: a class after ``a``, a literal from a mapping, else a resource."""
    if pred == RDF_TYPE:
        return ontology_class(value)
    if isinstance(value, dict):
        if set(value) == {"text", "lang"}:
            return Literal(str(value["text"]), language=value["lang"])
        if len(value) != 1:
            raise TermError(f"a literal is a one-key mapping such as {{date: ...}}, got {value}")
        (kind, raw), = value.items()
        if kind == "en":
            return english(raw)
        if kind not in LITERAL_TYPES:
            raise TermError(f"unknown literal type {kind!r} (know {sorted(LITERAL_TYPES)})")
        return typed(LITERAL_TYPES[kind], raw)
    return resource(value)


def digest(*parts: str) -> str:
    """The first ``HASH_HEX`` hex digits of SHA-256 over the parts, NUL-separated."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:HASH_HEX]


def statement_iri(subject, pred, obj) -> NamedNode:
    """``kgr:stmt-<hash of the triple>``: one statement per fact, however many spans state it."""
    return NamedNode(iris.resource("stmt-" + digest(str(subject), str(pred), str(obj))))


def evidence_iri(start: int, end: int) -> NamedNode:
    """``kgr:ev-<hash of the offsets>``: one evidence node per span of the article."""
    return NamedNode(iris.resource("ev-" + digest(str(start), str(end))))


def selector_iri(evidence: NamedNode, kind: str) -> NamedNode:
    """Selectors get IRIs too (``-quote``, ``-pos``), so the data has no blank nodes."""
    return NamedNode(f"{evidence.value}-{kind}")
