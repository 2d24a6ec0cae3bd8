"""The SPARQL a page runs: through the store's evaluator processes, so the server's timeout
and row limit apply to pages as to the endpoint; and the link that opens a page's query
on the query page.
"""

import json
from collections import defaultdict
from urllib.parse import quote

import pyoxigraph as ox

from kg import iris
from kg.store import QueryRequest
from kg.web import settings, store

#: The graphs as written: a page shows what the data says, not what a reasoner added.
ASSERTED_GRAPHS = (iris.ONTOLOGY_GRAPH, iris.DATA_GRAPH)


LABELS_QUERY = """\
SELECT ?iri ?label WHERE {
  VALUES ?iri { %s }
  ?iri rdfs:label ?label
  FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))
}
"""


def construct(sparql: str, graphs: tuple[str, ...] = ()) -> tuple[list[ox.Triple], bool]:
    """The triples a CONSTRUCT yields from ``graphs`` (or its own FROM) through the evaluator
    processes, so the server's timeout and row limit apply; and whether the limit cut them.

    Sorted, so that a page lists values in the same order whatever engine answered (a
    CONSTRUCT's order is the engine's own)."""
    answer = store().query(QueryRequest(sparql, results_format=None, graph_format="nt",
                                        default_graphs=graphs, max_rows=settings().max_rows))
    triples = sorted(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES), key=str)
    return triples, answer.truncated


def select(sparql: str, graphs: tuple[str, ...] = ()) -> list[dict]:
    """The JSON bindings of a page's own SELECT (the union of all graphs unless named)."""
    answer = store().query(QueryRequest(sparql, results_format="json", graph_format=None,
                                        default_graphs=graphs, max_rows=1_000_000))
    return json.loads(answer.body)["results"]["bindings"]


def labels(wanted) -> dict[str, str]:
    """The English (or untagged) label of each IRI that has one, from every graph."""
    wanted = sorted({i for i in wanted if i})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        values = " ".join(str(ox.NamedNode(i)) for i in wanted[start:start + 500])
        for row in select(LABELS_QUERY % values):
            label = row["label"]
            # An English label wins over an untagged one.
            if row["iri"]["value"] not in found or label.get("xml:lang"):
                found[row["iri"]["value"]] = label["value"]
    return found


def query_link(sparql: str) -> str:
    """The query page, opened on ``sparql`` (it runs what it finds after ``#query=``)."""
    return iris.QUERY_ROUTE + "#query=" + quote(sparql, safe="")


class Graph:
    """A description indexed by subject: ``graph[s][p]`` lists the objects."""

    def __init__(self, triples):
        self.triples = list(triples)
        self.index: dict = defaultdict(lambda: defaultdict(list))
        for t in self.triples:
            self.index[t.subject][t.predicate.value].append(t.object)

    def objects(self, subject, predicate: str) -> list:
        return self.index.get(subject, {}).get(predicate, [])

    def value(self, subject, predicate: str):
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def iris(self) -> set[str]:
        every = set()
        for t in self.triples:
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, ox.NamedNode):
                    every.add(term.value)
        return every
