"""Bad input: random query strings, parameters, headers, bodies and encodings at every route.

Hypothesis generates the requests; the routes come from the OpenAPI description
(``operations()``), so a route added there is thrown at without touching this file. The
server is ``kg serve`` on the fixture data with an update token (so writes get past the
token check too, on a store of their own) and a short query timeout (random queries can
be expensive). Whatever arrives, the answer is never a 500 (a 503 is allowed: overload,
or a query stopped at its time or memory limit) and never carries a stack trace.
"""

import json
from urllib.parse import quote_from_bytes

import pytest
import requests
from conftest import TOKEN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import assert_no_stack_trace, operations

pytestmark = pytest.mark.slow

#: Examples per test: enough to reach every route many times, in well under a minute.
EXAMPLES = 250
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

MEDIA_TYPES = [
    "application/x-www-form-urlencoded", "application/sparql-query",
    "application/sparql-update", "application/json", "application/sparql-results+json",
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
    "application/trig", "application/n-quads", "text/csv", "text/plain", "text/html",
    "multipart/form-data; boundary=x", "application/octet-stream", "*/*", "",
]
CHARSETS = ["", "; charset=utf-8", "; charset=latin-1", "; charset=utf-16", "; charset=bogus"]
#: Pieces of SPARQL, valid and not, that random queries are made of.
SPARQL_TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", ".", ";", ",",
    "*", "?s", "?p", "?o", "$x", "kgr:Lwow", "kg:Event", "a", "rdfs:label", "FILTER",
    "OPTIONAL", "UNION", "MINUS", "GRAPH", "FROM", "FROM NAMED", "<http://e/x>", "<>",
    "<a b>", '"x"', '"x"@en', '"1"^^xsd:integer', "1", "1.5e3", "-0", "true", "LIMIT",
    "OFFSET", "ORDER BY", "GROUP BY", "COUNT(*)", "AS", "BIND", "VALUES", "REGEX", "LANG",
    "STR", "IRI", "BNODE()", "_:b", "[]", "PREFIX", "BASE", "#", "\n", "SERVICE",
    "<http://127.0.0.1:9/>", "LOAD", "INSERT DATA", "DELETE WHERE", "CLEAR ALL", "\\u0041",
    "<<", ">>", "{|", "|}", "TRIPLE", "'''", "\x00", "é", "𝔘",
]
VALID_QUERIES = [
    "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }",
    "ASK { kgr:Lwow a kg:City }",
    "CONSTRUCT WHERE { kgr:Lwow ?p ?o }",
    "DESCRIBE kgr:Lwow",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
]
VALID_UPDATES = [
    "INSERT DATA { GRAPH <http://example.org/fuzz> { kgr:X rdfs:label \"x\" } }",
    "DELETE WHERE { GRAPH <http://example.org/fuzz> { ?s ?p ?o } }",
    "CLEAR SILENT GRAPH <http://example.org/fuzz>",
]

#: Text with any character (no lone surrogates: those cannot be sent at all).
any_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=80)
#: Header values HTTP can carry (latin-1, no line breaks).
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                    blacklist_characters="\x7f"), max_size=60).map(str.strip)
huge_text = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=3,
                      alphabet=st.characters(blacklist_categories=["Cs"])),
                      st.integers(1_000, 120_000))


@st.composite
def mutated(draw, valid: list[str]) -> str:
    """A valid text with a few random edits: inserted tokens, cut pieces, doubled pieces."""
    text = draw(st.sampled_from(valid))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "cut", "double"]))
        if edit == "insert":
            text = text[:at] + " " + draw(st.sampled_from(SPARQL_TOKENS)) + " " + text[at:]
        elif edit == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 10)):]
        else:
            text = text[:at] + text[at:at + 20] + text[at:]
    return text


def sparql_text(valid: list[str]):
    tokens = st.lists(st.sampled_from(SPARQL_TOKENS), max_size=30).map(" ".join)
    return st.one_of(mutated(valid), tokens, any_text, huge_text)


def value_strategy():
    return st.one_of(any_text, sparql_text(VALID_QUERIES),
                     st.sampled_from(["", "json", "ttl", "-1", "0", "1e999", "NaN", "[]",
                                      "http://example.org/g", "not an iri",
                                      "https://w3id.org/kresy1939/graph/data"]))


@st.composite
def bodies(draw) -> bytes | dict | None:
    kind = draw(st.sampled_from(["none", "bytes", "utf-8", "utf-16", "latin-1", "form",
                                 "json", "huge"]))
    if kind == "none":
        return None
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "form":
        return draw(st.dictionaries(st.sampled_from(["query", "update", "queries", "format",
                                                     "default-graph-uri", "q", "iris"]) | any_text,
                                    value_strategy(), max_size=4))
    if kind == "json":
        return json.dumps(draw(st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | any_text,
            lambda inner: st.lists(inner, max_size=4)
            | st.dictionaries(any_text | st.sampled_from(["iris", "query", "type", "limit"]),
                              inner, max_size=4),
            max_leaves=12))).encode()
    if kind == "huge":
        return draw(huge_text).encode("utf-8")
    return draw(sparql_text(VALID_QUERIES + VALID_UPDATES)).encode(kind, "replace")


@st.composite
def requests_to_routes(draw) -> dict:
    path, method = draw(st.sampled_from(operations()))
    if "{" in path:  # a path parameter: any text, percent-encoded by requests
        path = path.split("{")[0] + draw(st.text(st.characters(blacklist_categories=["Cs"]),
                                                 min_size=1, max_size=40))
    names = st.sampled_from(["query", "update", "format", "default-graph-uri",
                             "named-graph-uri", "graph", "default", "q", "limit", "queries",
                             "callback", "id"]) | any_text
    headers = {"Accept": draw(st.sampled_from(MEDIA_TYPES) | header_text),
               "Content-Type": draw(st.sampled_from(MEDIA_TYPES) | header_text)
               + draw(st.sampled_from(CHARSETS))}
    if draw(st.booleans()):
        headers["Authorization"] = draw(st.sampled_from([f"Bearer {TOKEN}", "Bearer x", ""])
                                        | header_text)
    if draw(st.booleans()):
        headers[draw(st.sampled_from(["Accept-Encoding", "Origin", "Range", "If-None-Match",
                                      "Accept-Language", "X-Forwarded-For"]))] = \
            draw(header_text)
    # Parameters as pairs of text, or a raw query string of any bytes (invalid UTF-8 too).
    params = draw(st.lists(st.tuples(names, value_strategy()), max_size=5)
                  | st.binary(max_size=200).map(lambda raw: quote_from_bytes(raw, safe="=&")))
    return {"method": method, "path": path, "params": params,
            "headers": headers, "data": draw(bodies())}


def send(server, method: str, path: str, **options) -> requests.Response:
    response = requests.request(method, server.url + path, timeout=60, **options)
    assert response.status_code != 500, (method, path, options, response.text[:300])
    assert response.status_code < 500 or response.status_code == 503, response.text[:300]
    assert_no_stack_trace(response)
    return response


@FUZZ
@given(request=requests_to_routes())
def test_random_requests_to_every_route_are_never_500_nor_a_stack_trace(sandbox, request):
    send(sandbox, request.pop("method"), request.pop("path"), **request)


@FUZZ
@given(query=sparql_text(VALID_QUERIES), how=st.sampled_from(["get", "form", "direct"]),
       accept=st.sampled_from(MEDIA_TYPES), graphs=st.lists(value_strategy(), max_size=2))
def test_random_queries_are_answered_or_refused_with_a_4xx(sandbox, query, how, accept,
                                                           graphs):
    params = [("default-graph-uri", g) for g in graphs]
    headers = {"Accept": accept}
    if how == "get":
        send(sandbox, "GET", "/sparql", params=[("query", query), *params], headers=headers)
    elif how == "form":
        send(sandbox, "POST", "/sparql", params=params, data={"query": query}, headers=headers)
    else:
        send(sandbox, "POST", "/sparql", params=params, data=query.encode(),
             headers={**headers, "Content-Type": "application/sparql-query"})


@FUZZ
@given(update=sparql_text(VALID_UPDATES), direct=st.booleans())
def test_random_updates_with_the_token_are_applied_or_refused_with_a_4xx(sandbox, update,
                                                                          direct):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if direct:
        send(sandbox, "POST", "/update", data=update.encode(),
             headers={**headers, "Content-Type": "application/sparql-update"})
    else:
        send(sandbox, "POST", "/update", data={"update": update}, headers=headers)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | any_text,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["query", "type", "limit", "properties", "id", "iris"])
                      | any_text, inner, max_size=4),
    max_leaves=10)


#: A reconciliation query as OpenRefine sends it, each field possibly of the wrong shape.
reconciliation_query = st.fixed_dictionaries({}, optional={
    "query": st.sampled_from(["Lwów", "LUCK", "Stalin", " "]) | json_values,
    "type": st.sampled_from(["City", "Event", "https://w3id.org/kresy1939/ontology#City"])
    | json_values,
    "limit": json_values, "type_strict": json_values, "properties": json_values,
})


@FUZZ
@given(batch=st.dictionaries(any_text, reconciliation_query, max_size=3) | json_values,
       single=reconciliation_query | json_values, iris=json_values)
def test_random_json_to_the_json_apis_is_never_500(sandbox, batch, single, iris):
    send(sandbox, "POST", "/reconcile", data={"queries": json.dumps(batch)})
    send(sandbox, "GET", "/reconcile", params={"query": json.dumps(single)})
    send(sandbox, "POST", "/api/labels", data=json.dumps({"iris": iris}),
         headers={"Content-Type": "application/json"})


def not_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


#: Bytes that are not UTF-8, percent-encoded as a client would send them.
not_utf8_bytes = st.binary(min_size=1, max_size=40).filter(not_utf8).map(
    lambda raw: quote_from_bytes(raw, safe=""))


@FUZZ
@given(operation=st.sampled_from(operations()), name=st.sampled_from(["query", "update", "q",
                                                                      "graph", "x"]),
       value=not_utf8_bytes, in_body=st.booleans())
def test_bytes_that_are_not_utf8_in_any_parameter_are_400_on_every_route(sandbox, operation,
                                                                          name, value, in_body):
    """Never decoded leniently and run: a 400 with one line saying why, query string or form."""
    path, method = operation
    path = path.replace("{", "").replace("}", "")  # a path parameter: its own name as value
    if in_body and method in ("POST", "PUT"):
        response = send(sandbox, method, path, data=f"{name}={value}".encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        response = send(sandbox, method, f"{path}?{name}={value}")
    assert response.status_code == 400, (method, path, response.text[:200])
    if method != "HEAD":  # a HEAD answer has no body
        assert "not valid UTF-8" in response.text and response.text.count("\n") == 1
