"""Questions about a query's syntax that pyoxigraph does not answer, asked of rdflib's parser.

pyoxigraph does not expose its parsed algebra, so rdflib's SPARQL grammar (a real
parse, unlike a regular expression that comments and strings would fool) tells
whether a query names its own dataset or uses SERVICE. Parsing costs a millisecond
or so, so callers first check that the keyword occurs in the text at all.
"""

import threading

from pyparsing import ParseException
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.parserutils import CompValue

__all__ = ["ParseException", "declares_dataset", "nodes", "parseQuery", "parseUpdate"]

#: rdflib's grammar (pyparsing) cannot parse in two threads at once: concurrent parses
#: fail with TypeErrors from inside pyparsing, which an HTTP worker's threads turned into
#: 500s (found by tests/robustness/test_load.py). One parse at a time, about a millisecond.
_PARSER_LOCK = threading.Lock()


def parseQuery(text: str):  # rdflib's name, so callers read as before
    with _PARSER_LOCK:
        return parser.parseQuery(text)


def parseUpdate(text: str):  # rdflib's name, so callers read as before
    with _PARSER_LOCK:
        return parser.parseUpdate(text)


def nodes(tree):
    """Every node of an rdflib parse tree, depth first."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)


def declares_dataset(query: str) -> bool:
    """Whether the query has FROM or FROM NAMED clauses (which must win over the union graph).

    When rdflib cannot parse a query that oxigraph accepts (SPARQL 1.2 syntax), the
    answer is False: the query then sees the union default graph.
    """
    if "from" not in query.lower():
        return False
    try:
        tree = parseQuery(query)
    except ParseException:
        return False
    return any(node.name == "DatasetClause" for node in nodes(tree))
