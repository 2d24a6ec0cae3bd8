"""Whole-graph writes (the Graph Store Protocol's PUT, POST and DELETE) as SPARQL Update.

A store that has no native way to replace, add to or drop one graph applies the same
change as one update. The triples are written by pyoxigraph as N-Triples, so an uploaded
payload can never inject SPARQL.
"""

import pyoxigraph as ox


def graph_update(method: str, graph: str | None, triples: list[ox.Triple] | None) -> str:
    """The update for ``PUT`` (replace), ``POST`` (add) or ``DELETE`` (drop) of ``graph``
    (None: the default graph)."""
    target = f"GRAPH <{graph}>" if graph else "DEFAULT"
    if method == "DELETE":
        return f"DROP {target}"
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    wrapped = f"GRAPH <{graph}> {{ {body} }}" if graph else body
    clear = f"DROP SILENT {target} ; " if method == "PUT" else ""
    return f"{clear}INSERT DATA {{ {wrapped} }}"
