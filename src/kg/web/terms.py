"""RDF terms as pages show them: a label for an IRI, a date or number as a reader writes it.

Every page model turns the terms it reads from the store into ``Shown`` values, so the
templates never see pyoxigraph objects or SPARQL JSON.
"""

from dataclasses import dataclass

import pyoxigraph as ox

from kg import iris

RDF = iris.PREFIXES["rdf"]
RDFS = iris.PREFIXES["rdfs"]
OA = iris.PREFIXES["oa"]
PROV = iris.PREFIXES["prov"]
SKOS = iris.PREFIXES["skos"]
XSD = iris.PREFIXES["xsd"]
KG = iris.ONTOLOGY_NS

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
#: Literals longer than this (the article's whole text) are folded away on a page.
LONG_LITERAL = 400


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
