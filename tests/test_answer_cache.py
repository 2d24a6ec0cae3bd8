"""Repeated identical queries may be answered from memory, but never after the data changed."""

import hashlib
from pathlib import Path

import requests
from conftest import auth, copy_sources

from kg.store import Answer, QueryRequest
from kg.store.cache import AnswerCache

V1, V2 = Path("versions/1"), Path("versions/2")


def test_an_answer_is_kept_for_its_version_only():
    cache = AnswerCache()
    request = QueryRequest("SELECT * WHERE { ?s ?p ?o }")
    cache.put(V1, request, Answer(b"early", "json"))  # no lookup has seen V1: not kept
    assert cache.get(V1, request) is None
    cache.put(V1, request, Answer(b"v1", "json"))
    assert cache.get(V1, request).body == b"v1"
    assert cache.get(V1, QueryRequest("SELECT * WHERE { ?s ?p ?o }", results_format="xml")) \
        is None
    assert cache.get(V2, request) is None  # a new version empties the cache
    cache.put(V1, request, Answer(b"late", "json"))  # computed while V2 was published
    assert cache.get(V2, request) is None and len(cache) == 0


def test_the_cache_keeps_its_size_and_drops_the_least_recently_used():
    a, b, c, big = (QueryRequest(f"ASK {{ <urn:{n}> ?p ?o }}") for n in "abcd")
    query_bytes = len(a.query)  # counted with the answer
    cache = AnswerCache(max_bytes=10 + 2 * query_bytes, max_answer_bytes=6)
    assert cache.get(V1, a) is None
    cache.put(V1, a, Answer(b"aaaa", "json"))
    cache.put(V1, b, Answer(b"bbbb", "json"))
    cache.put(V1, big, Answer(b"x" * 7, "json"))  # larger than one answer may be
    assert cache.get(V1, big) is None
    assert cache.get(V1, a) is not None  # a is now the most recently used
    cache.put(V1, c, Answer(b"cccc", "json"))  # three answers do not fit: b goes
    assert cache.get(V1, b) is None
    assert cache.get(V1, a) is not None and cache.get(V1, c) is not None


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/cached> { ?s ?p ?o } }"


def count(server) -> int:
    return int(server.select(COUNT)[0]["n"])


def test_an_update_is_seen_by_the_next_identical_query(writable_server):
    before = count(writable_server)
    assert count(writable_server) == before  # answered again, possibly from the cache
    for n in range(1, 3):
        response = requests.post(writable_server.url + "/update", headers=auth(), data={
            "update": f"INSERT DATA {{ GRAPH <http://example.org/cached> "
                      f"{{ <http://example.org/s{n}> <http://example.org/p> {n} }} }}"})
        assert response.status_code == 204
        # every HTTP worker answers the same (each has its own cache)
        assert {count(writable_server) for _ in range(6)} == {before + n}


def test_a_repeated_cut_answer_still_says_it_was_cut(start_server, tmp_path):
    server = start_server({**copy_sources(tmp_path / "src"), "--max-rows": 2})
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    answers = [server.query(query) for _ in range(4)]
    assert all(a.status_code == 200 and a.headers["X-Result-Truncated"] == "true"
               for a in answers)
    assert {len(a.json()["results"]["bindings"]) for a in answers} == {2}


def test_answers_that_vary_between_runs_are_computed_every_time(server):
    query = "SELECT (STRUUID() AS ?id) (RAND() AS ?r) WHERE {}"
    ids = {server.select(query)[0]["id"] for _ in range(4)}
    assert len(ids) == 4


def test_a_repeated_request_gets_the_same_answer_headers_and_log_line(server):
    query = "SELECT ?p WHERE { kgr:SovietInvasionOfPoland ?p ?o } ORDER BY ?p LIMIT 3"
    answers = [server.query(query) for _ in range(4)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert len({a.headers["Content-Type"] for a in answers}) == 1
    assert all(a.headers["Access-Control-Allow-Origin"] == "*" for a in answers)
    digest = hashlib.sha256(query.encode()).hexdigest()[:12]
    assert server.log.read_text().count("POST /sparql 200") >= 4
    assert server.log.read_text().count(f"query={digest}") >= 4  # each answer is logged


def test_a_repeated_query_is_answered_in_the_format_each_request_asks_for(server):
    query = "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }"
    for accept, start in (("application/sparql-results+json", "{"), ("text/csv", "d\r\n"),
                          ("application/sparql-results+json", "{"), ("text/csv", "d\r\n")):
        answer = server.query(query, accept=accept)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith(accept)
        assert answer.text.startswith(start)
    gzipped = requests.post(server.url + "/sparql", data={"query": query}, timeout=30,
                            headers={"Accept": "text/csv", "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in gzipped.headers and gzipped.text.startswith("d\r\n")
