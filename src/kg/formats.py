"""Every media type the project speaks, in one table.

The table drives ``Accept`` negotiation, the ``format`` request parameter, file
suffixes (dumps, ``/resource/X.ttl``), and the result formats the service
description advertises. Adding a format is one line in ``FORMATS``; serialisation
itself is always pyoxigraph's, never hand-written.
"""

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

#: Kinds of answer: solutions/booleans (SELECT, ASK) or graphs (CONSTRUCT, DESCRIBE, dumps).
RESULTS = "results"
GRAPH = "graph"


#: The W3C namespace of format IRIs (https://www.w3.org/ns/formats/), for sd:resultFormat
#: and void:feature.
FORMATS_NS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One serialisation: its short name (``format=`` value), media type and suffix."""

    name: str
    media_type: str
    suffix: str
    kind: str
    oxigraph: QueryResultsFormat | RdfFormat
    #: Its name in the W3C formats namespace (pyoxigraph's ``iri`` is wrong for JSON-LD).
    registered: str
    #: Further media types that select this format in ``Accept`` (never sent back).
    aliases: tuple[str, ...] = ()
    #: Further ``format=`` values that name it (those common clients such as SPARQLWrapper send).
    nicknames: tuple[str, ...] = ()

    @property
    def iri(self) -> str:
        """The W3C format IRI (http://www.w3.org/ns/formats/...), for sd:resultFormat."""
        return FORMATS_NS + self.registered

    @property
    def supports_datasets(self) -> bool:
        """Whether the format carries named graphs (TriG, N-Quads)."""
        return self.kind == GRAPH and self.oxigraph.supports_datasets

    @property
    def content_type(self) -> str:
        """The Content-Type header value: text formats are always UTF-8."""
        return f"{self.media_type}; charset=utf-8"


#: The first format of each kind is its default (sent when the client accepts anything).
FORMATS = (
    Format("json", "application/sparql-results+json", "srj", RESULTS, QueryResultsFormat.JSON,
           "SPARQL_Results_JSON", ("application/json",)),
    Format("xml", "application/sparql-results+xml", "srx", RESULTS, QueryResultsFormat.XML,
           "SPARQL_Results_XML", ("application/xml", "text/xml")),
    Format("csv", "text/csv", "csv", RESULTS, QueryResultsFormat.CSV, "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", RESULTS, QueryResultsFormat.TSV,
           "SPARQL_Results_TSV"),
    # Turtle is a subset of N3, so it answers clients asking for N3 too.
    Format("ttl", "text/turtle", "ttl", GRAPH, RdfFormat.TURTLE, "Turtle",
           ("application/x-turtle", "text/n3"), ("turtle", "n3")),
    Format("nt", "application/n-triples", "nt", GRAPH, RdfFormat.N_TRIPLES, "N-Triples",
           ("text/plain",), ("ntriples", "n-triples")),
    Format("rdf", "application/rdf+xml", "rdf", GRAPH, RdfFormat.RDF_XML, "RDF_XML",
           ("application/xml", "text/xml"), ("xml", "rdfxml", "rdf+xml")),
    Format("jsonld", "application/ld+json", "jsonld", GRAPH, RdfFormat.JSON_LD, "JSON-LD",
           ("application/json",), ("json", "json-ld")),
    Format("trig", "application/trig", "trig", GRAPH, RdfFormat.TRIG, "TriG"),
    Format("nq", "application/n-quads", "nq", GRAPH, RdfFormat.N_QUADS, "N-Quads", (),
           ("nquads", "n-quads")),
)

BY_NAME = {f.name: f for f in FORMATS}
BY_SUFFIX = {f.suffix: f for f in FORMATS}


def of_kind(kind: str) -> tuple[Format, ...]:
    return tuple(f for f in FORMATS if f.kind == kind)


def by_parameter(value: str, kind: str) -> Format | None:
    """The format a ``format=`` parameter names: short name, suffix or media type."""
    value = value.strip().lower()
    for candidate in of_kind(kind):
        if value in (candidate.name, candidate.suffix, candidate.media_type, *candidate.aliases,
                     *candidate.nicknames):
            return candidate
    return None


def by_media_type(media_type: str, kind: str | None = None) -> Format | None:
    """The format of a request body's Content-Type (parameters such as charset ignored)."""
    media_type = media_type.split(";")[0].strip().lower()
    for candidate in FORMATS if kind is None else of_kind(kind):
        if media_type in (candidate.media_type, *candidate.aliases):
            return candidate
    return None


#: JSON-LD profiles (the ``profile`` parameter of application/ld+json, JSON-LD 1.1 appendix C)
#: that change what the server sends; any other profile is ignored, as the JSON-LD media type
#: registration requires.
JSONLD_EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
JSONLD_COMPACTED = "http://www.w3.org/ns/json-ld#compacted"


def accepted(accept: str | None) -> MIMEAccept:
    """The ``Accept`` header's media types with their q-values, parameters set aside.

    werkzeug matches parameters exactly, so ``text/csv;header=present`` or
    ``application/sparql-results+json; charset=utf-8`` would match nothing; parameters
    never select another serialisation here (``profile`` is read by ``profiles``).
    """
    entries = parse_accept_header(accept or "", MIMEAccept)
    return MIMEAccept([(value.split(";", 1)[0].strip().lower(), quality)
                       for value, quality in entries])


def profiles(accept: str | None, media_type: str) -> tuple[str, ...]:
    """The profiles the client asks for with ``media_type``, best-quality entry first."""
    found = []
    for value, quality in parse_accept_header(accept or "", MIMEAccept):
        bare, options = parse_options_header(value)
        if bare.lower() == media_type and quality > 0 and "profile" in options:
            found.append((quality, options["profile"].split()))
    return tuple(p for _, listed in sorted(found, key=lambda f: -f[0]) for p in listed)


def jsonld_form(accept: str | None) -> str:
    """The JSON-LD form asked for: the first known profile in ``Accept``, compacted by default."""
    known = (JSONLD_EXPANDED, JSONLD_COMPACTED)
    return next((p for p in profiles(accept, "application/ld+json") if p in known),
                JSONLD_COMPACTED)


def negotiate(accept: str | None, candidates: tuple[Format, ...]) -> Format | None:
    """The candidate the ``Accept`` header prefers (q-values, specificity), or None (406).

    No header, or an empty one, means anything: the first candidate.
    """
    if not accept or not accept.strip():
        return candidates[0] if candidates else None
    accepted_types = accepted(accept)
    best, best_quality = None, 0.0
    for candidate in candidates:
        for media_type in (candidate.media_type, *candidate.aliases):
            quality = accepted_types.quality(media_type)
            if quality > best_quality:
                best, best_quality = candidate, quality
    return best
