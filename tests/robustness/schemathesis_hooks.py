"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) in test_openapi_conformance.py: the request
bodies of these media types are text (SPARQL, or RDF in the named syntax)."""

import schemathesis

schemathesis.serializer.alias(
    ["application/sparql-query", "application/sparql-update", "text/turtle",
     "application/n-triples", "application/rdf+xml", "application/trig", "application/n-quads"],
    "text/plain")
