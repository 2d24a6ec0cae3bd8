"""JSON-LD as people read it: compacted against the project's published ``@context``.

pyoxigraph writes expanded JSON-LD only (full IRIs, every value an array of objects).
Resources and dumps are offered compacted instead, against one context: the project's
prefixes, English as the default language and, from the ontology, one term per ``kg:``
property, links typed ``@id`` and values typed with their range. The context is
published at ``kg.iris.CONTEXT`` (answered at ``CONTEXT_ROUTE``) and written inline in
each document, because a reader without network access, or without a loader for remote
contexts (pyoxigraph has none by default), could not read a document that only names it.
A client that asks for the expanded form (``profile`` in ``Accept``) gets pyoxigraph's.
PyLD compacts pyoxigraph's expanded document (the JSON-LD 1.1 compaction algorithm,
which keeps every value's lexical form; rdflib's writer rewrites ``xsd:dateTime``
values), so any JSON-LD reader gets the same triples back.
"""

import json

import pyoxigraph as ox
from pyld import jsonld as pyld

from kg.iris import ONTOLOGY_NS, PREFIXES

_OWL, _RDF, _RDFS, _XSD = (PREFIXES[p] for p in ("owl", "rdf", "rdfs", "xsd"))
_TYPE, _RANGE = ox.NamedNode(_RDF + "type"), ox.NamedNode(_RDFS + "range")
#: Ranges that say nothing about the datatype (any literal, or plain strings JSON writes as is).
_UNTYPED = (_RDFS + "Literal", _XSD + "string")


def context(ontology) -> dict:
    """The ``@context`` document for the ontology graph's triples ``ontology``."""
    triples = list(ontology)
    ranges = {t.subject.value: t.object.value for t in triples
              if t.predicate == _RANGE and isinstance(t.object, ox.NamedNode)}
    terms = {}
    for t in sorted(triples, key=lambda t: t.subject.value):
        name = t.subject.value.removeprefix(ONTOLOGY_NS)
        if t.predicate != _TYPE or name == t.subject.value or not name:
            continue
        if t.object.value == _OWL + "ObjectProperty":
            terms[name] = {"@id": "kg:" + name, "@type": "@id"}
        elif t.object.value == _OWL + "DatatypeProperty":
            datatype = ranges.get(t.subject.value)
            terms[name] = {"@id": "kg:" + name}
            if datatype and datatype.startswith(_XSD) and datatype not in _UNTYPED:
                terms[name]["@type"] = "xsd:" + datatype.removeprefix(_XSD)
    return {"@context": {**PREFIXES, "@language": "en", **terms}}


def compacted(triples, context_document: dict) -> bytes:
    """The triples as compacted JSON-LD, the published ``@context`` inline."""
    document = pyld.compact(json.loads(expanded(triples)), context_document)
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode()


def expanded(triples) -> bytes:
    """The triples as expanded JSON-LD (full IRIs, no context), as pyoxigraph writes it."""
    return ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
