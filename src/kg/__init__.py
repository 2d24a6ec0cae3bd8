"""Kresy 1939: the Wikipedia article "Soviet invasion of Poland" as a knowledge graph.

The package mirrors the pipeline: curate (the reviewed statements) -> build (quotes,
IRIs, provenance, Turtle) -> store (an on-disk Oxigraph store) -> web (SPARQL protocol,
pages, dumps, query UI). Data flows one way; later stages never import the web layer.
"""

__version__ = "0.1.0"
