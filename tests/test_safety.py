"""Safe by default: each test fails if its rule breaks."""

import http.server
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import TOKEN, auth, copy_sources, processes_using

pytestmark = pytest.mark.slow

#: A cartesian product over the whole store: runs for minutes without the timeout.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
POINT = "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }"


def quietly(function, *args):
    """Run a request in a background thread, ignoring the server going away."""
    try:
        function(*args)
    except requests.RequestException:
        pass


class Listener:
    """A local HTTP server that counts connections and answers like a SPARQL endpoint."""

    def __init__(self):
        self.hits = 0
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                listener.hits += 1
                body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
                    {"x": {"type": "literal", "value": "remote"}}]}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def listener():
    started = Listener()
    yield started
    started.close()


def service_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ ?s ?p ?o OPTIONAL {{ service <{url}> {{ ?s ?q ?r }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"PREFIX remote: <{url.rsplit('/', 1)[0]}/> "
        "SELECT * { SERVICE remote:sparql { ?s ?p ?o } }",
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_service_is_refused_before_evaluation_and_no_connection_is_made(server, listener):
    for query in service_queries(listener.url):
        response = server.query(query)
        assert response.status_code == 400, query
        assert "not allowed" in response.text
    time.sleep(0.5)
    assert listener.hits == 0


def test_service_in_a_comment_or_a_string_is_not_refused(server):
    assert server.query('SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/>\n'
                        'LIMIT 1').status_code == 200
    assert server.query('SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" }').status_code == 200


def test_allowlisted_service_is_reached(start_server, tmp_path, listener):
    allowed = start_server(env={"KG_ALLOWED_SERVICES": listener.url})
    assert allowed.select(f"SELECT ?x WHERE {{ SERVICE <{listener.url}> {{ ?x ?p ?o }} }}") \
        == [{"x": "remote"}]
    assert listener.hits == 1
    other = listener.url.replace("/sparql", "/other")
    assert allowed.query(f"SELECT * WHERE {{ SERVICE <{other}> {{ ?s ?p ?o }} }}"
                         ).status_code == 400
    assert listener.hits == 1


def test_service_and_load_in_updates_are_refused_even_with_the_token(writable_server, listener):
    updates = [
        f"LOAD <{listener.url}>",
        f"LOAD SILENT <{listener.url}> INTO GRAPH <http://example.org/g>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        f"INSERT DATA {{ <http://e/a> <http://e/b> 1 }} ; "
        f"DELETE {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }} }}",
    ]
    for update in updates:
        response = requests.post(writable_server.url + "/update", data={"update": update},
                                 headers=auth())
        assert response.status_code == 400, update
    time.sleep(0.5)
    assert listener.hits == 0
    assert not writable_server.ask("ASK { <http://e/a> ?p ?o }")


INSERT = "INSERT DATA { GRAPH <http://example.org/g> { kgr:X rdfs:label \"inserted\" } }"
INSERTED = "ASK { GRAPH <http://example.org/g> { kgr:X rdfs:label \"inserted\" } }"


def test_read_only_without_a_configured_token(server):
    update = requests.post(server.url + "/update", data={"update": INSERT}, headers=auth())
    assert update.status_code == 403
    put = requests.put(server.url + "/store", params={"graph": "http://example.org/g"},
                       data=b"<http://e/a> <http://e/b> <http://e/c> .",
                       headers={"Content-Type": "application/n-triples", **auth()})
    assert put.status_code == 403
    delete = requests.delete(server.url + "/store", params={"graph": "http://example.org/g"},
                             headers=auth())
    assert delete.status_code == 403
    assert not server.ask(INSERTED)
    assert not server.ask("ASK { <http://e/a> ?p ?o }")


def test_writes_without_or_with_a_wrong_token_are_401_and_change_nothing(writable_server):
    for headers in ({}, auth("wrong"), {"Authorization": f"Basic {TOKEN}"}):
        response = requests.post(writable_server.url + "/update", data={"update": INSERT},
                                 headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
        put = requests.put(writable_server.url + "/store",
                           params={"graph": "http://example.org/g"},
                           data=b"<http://e/a> <http://e/b> <http://e/c> .",
                           headers={"Content-Type": "application/n-triples", **headers})
        assert put.status_code == 401
    assert not writable_server.ask(INSERTED)
    assert not writable_server.ask("ASK { <http://e/a> ?p ?o }")


def test_a_graph_store_write_without_the_token_is_401_whatever_its_parameters(writable_server):
    """Found by schemathesis: bad parameters were judged (400) before the token, unlike /update."""
    for method in ("put", "post", "delete"):
        for params in ({}, {"graph": "", "default": ""}, {"graph": "not an iri"}):
            response = requests.request(method, writable_server.url + "/store", params=params,
                                        data=b"", headers={"Content-Type": "text/turtle"})
            assert response.status_code == 401, (method, params, response.text)


def test_with_the_token_changes_persist_across_restarts(start_server, tmp_path):
    first = start_server(env={"KG_UPDATE_TOKEN": TOKEN})
    response = requests.post(first.url + "/update", data={"update": INSERT}, headers=auth())
    assert response.status_code == 204
    put = requests.put(first.url + "/store", params={"graph": "http://example.org/put"},
                       data=b"<http://e/a> <http://e/b> _:x . _:x <http://e/c> \"d\" .",
                       headers={"Content-Type": "text/turtle", **auth()})
    assert put.status_code == 201
    assert first.ask(INSERTED)
    first.stop()
    second = start_server(first.flags, env={"KG_UPDATE_TOKEN": TOKEN})
    assert second.ask(INSERTED)
    assert second.ask("ASK { GRAPH <http://example.org/put> { <http://e/a> <http://e/b> ?x . "
                      "?x <http://e/c> \"d\" } }")
    gone = requests.delete(second.url + "/store", params={"graph": "http://example.org/put"},
                           headers=auth())
    assert gone.status_code == 204
    assert not second.ask("ASK { GRAPH <http://example.org/put> { ?s ?p ?o } }")


def test_a_query_longer_than_the_limit_is_413(start_server):
    limited = start_server(env={"KG_MAX_QUERY_LENGTH": "200"})
    short = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    assert limited.query(short).status_code == 200
    long = short + " " * 200
    assert limited.query(long).status_code == 413
    direct = requests.post(limited.url + "/sparql", data=long.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert direct.status_code == 413


def test_timeout_stops_the_query_and_frees_its_slot(start_server):
    tight = start_server(env={"KG_QUERY_TIMEOUT": "2", "KG_WORKERS": "1",
                              "KG_QUERY_SLOTS": "1", "KG_QUEUE_WAIT": "5"})
    started = time.monotonic()
    response = tight.query(RUNAWAY)
    assert response.status_code == 503
    assert "time limit" in response.text
    assert time.monotonic() - started < 10
    # The only slot is free again: a point query answers at once.
    started = time.monotonic()
    assert tight.select(POINT) == [{"d": "1939-09-17"}]
    # A fresh evaluator starts in about a second; the runaway alone would take minutes.
    assert time.monotonic() - started < 10


def test_a_query_that_needs_too_much_memory_is_stopped_and_the_server_lives(start_server):
    small = start_server(env={"KG_QUERY_MEMORY": "900", "KG_QUERY_TIMEOUT": "60"})
    started = time.monotonic()
    # Sorting a cartesian product materialises it: gigabytes within seconds.
    response = small.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?f ?i")
    assert response.status_code == 503
    assert "memory" in response.text
    assert time.monotonic() - started < 50  # stopped by memory, not by the 60 s timeout
    assert small.select(POINT) == [{"d": "1939-09-17"}]


def test_a_runaway_update_is_stopped_at_the_time_limit_and_changes_nothing(start_server):
    tight = start_server(env={"KG_UPDATE_TOKEN": TOKEN, "KG_QUERY_TIMEOUT": "3"})
    version = requests.get(tight.url + "/healthz", timeout=10).json()["version"]
    started = time.monotonic()
    # Inserting from a cartesian product of the named graphs (an update's WHERE reads the
    # store's own default graph, which is empty): minutes of work if left alone.
    response = requests.post(tight.url + "/update", headers=auth(), timeout=60, data={
        "update": "INSERT { GRAPH <http://example.org/runaway> { ?a ?b ?d } } WHERE { "
                  "GRAPH ?w { ?a ?b ?c } GRAPH ?x { ?d ?e ?f } GRAPH ?y { ?g ?h ?i } "
                  "GRAPH ?z { ?j ?k ?l } }"})
    assert response.status_code == 503
    assert "time limit" in response.text and "nothing was changed" in response.text
    assert time.monotonic() - started < 30
    assert requests.get(tight.url + "/healthz", timeout=10).json()["version"] == version
    assert not tight.ask("ASK { GRAPH <http://example.org/runaway> { ?s ?p ?o } }")
    assert not processes_using(Path(tight.flags["--store"]) / "building")
    # The write lock is free again: a small update goes through.
    small = requests.post(tight.url + "/update", headers=auth(), timeout=60, data={
        "update": "INSERT DATA { GRAPH <http://example.org/small> { <http://e/a> <http://e/b> 1 } }"
    })
    assert small.status_code == 204
    assert tight.ask("ASK { GRAPH <http://example.org/small> { <http://e/a> ?p ?o } }")


def test_row_cap_is_announced_never_silent(start_server):
    capped = start_server(env={"KG_MAX_ROWS": "3"})
    for accept in ("application/sparql-results+json", "text/csv", "text/tab-separated-values",
                   "application/sparql-results+xml"):
        cut = capped.query("SELECT * WHERE { ?s ?p ?o }", accept=accept)
        assert cut.status_code == 200
        assert cut.headers["X-Result-Truncated"] == "true"
    rows = capped.query("SELECT * WHERE { ?s ?p ?o }").json()["results"]["bindings"]
    assert len(rows) == 3
    graph = capped.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert graph.headers["X-Result-Truncated"] == "true"
    assert len(graph.text.strip().splitlines()) == 3
    whole = capped.query("SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }")
    assert "X-Result-Truncated" not in whole.headers
    exactly = capped.query("SELECT ?x WHERE { VALUES ?x { 1 2 3 } }")
    assert "X-Result-Truncated" not in exactly.headers
    assert len(exactly.json()["results"]["bindings"]) == 3


def test_overload_is_503_with_retry_after_and_health_still_answers(start_server):
    busy = start_server(env={"KG_QUERY_TIMEOUT": "8", "KG_WORKERS": "1",
                             "KG_QUERY_SLOTS": "1", "KG_QUEUE_WAIT": "0.2"})
    runaway = threading.Thread(target=quietly, args=(busy.query, RUNAWAY))
    runaway.start()
    time.sleep(2)
    try:
        response = busy.query(POINT)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) >= 1
        health = requests.get(busy.url + "/healthz", timeout=2)
        assert health.status_code == 200
    finally:
        runaway.join()


def test_a_runaway_query_does_not_starve_other_queries(start_server):
    default = start_server()
    runaway = threading.Thread(target=quietly, args=(default.query, RUNAWAY))
    runaway.start()
    time.sleep(1)
    for _ in range(5):
        started = time.monotonic()
        assert default.select(POINT) == [{"d": "1939-09-17"}]
        # Generous for a busy test machine; starved, it would wait the whole 30 s timeout.
        assert time.monotonic() - started < 3
    assert requests.get(default.url + "/healthz", timeout=3).status_code == 200
    assert runaway.is_alive()  # the runaway was still running all along
    evaluators = processes_using(default.flags["--store"])
    assert evaluators
    default.stop()
    runaway.join(timeout=30)
    assert wait_until_gone(evaluators), "an evaluator outlived the server"


def test_evaluators_die_with_a_killed_worker(start_server):
    server = start_server(env={"KG_WORKERS": "1", "KG_QUERY_SLOTS": "1"})
    runaway = threading.Thread(target=quietly, args=(server.query, RUNAWAY))
    runaway.start()
    time.sleep(1)
    evaluators = processes_using(server.flags["--store"])
    assert evaluators
    workers = [int(pid) for pid in
               open(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read().split()]
    for worker in workers:
        os.kill(worker, signal.SIGKILL)
    assert wait_until_gone(evaluators), "an evaluator outlived its killed worker"
    runaway.join(timeout=30)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def wait_until_gone(pids: set[int], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(alive(pid) for pid in pids):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("method,path,kwargs,status", [
    ("get", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p }"}}, 400),
    ("post", "/sparql", {"data": b"\xff\xfe", "headers": {
        "Content-Type": "application/sparql-query"}}, 400),
    ("post", "/sparql", {"data": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("get", "/store", {"params": {"graph": "not an iri"}}, 400),
    ("get", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": "a b"}}, 400),
    ("get", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o FILTER(?o > ) }"}}, 400),
    ("get", "/no-such-page", {}, 404),
    ("delete", "/sparql", {}, 405),
])
def test_errors_are_short_plain_messages_never_stack_traces(server, method, path, kwargs,
                                                            status):
    response = getattr(requests, method)(server.url + path, **kwargs)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert len(response.text) < 500


#: Percent-encoded bytes that are not UTF-8 (0xFF 0xFE, and 0xC3 before a '(').
NOT_UTF8 = "ASK%20%7B%20FILTER(%22%FF%FE%C3%28%22%20!%3D%20%22%22)%20%7D"


@pytest.mark.parametrize("path", ["/sparql", "/query", "/resource/Lwow", "/reconcile",
                                  "/.well-known/void", "/store", "/healthz", "/"])
def test_invalid_utf8_in_the_query_string_is_400_on_every_route(server, path):
    response = requests.get(f"{server.url}{path}?query={NOT_UTF8}&graph=x", timeout=30)
    assert response.status_code == 400, (path, response.text)
    assert "not valid UTF-8" in response.text and response.text.count("\n") == 1


def test_invalid_utf8_in_a_form_body_is_400(server, writable_server):
    for url in (server.url + "/sparql", server.url + "/reconcile"):
        response = requests.post(url, data=f"query={NOT_UTF8}", timeout=30,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code == 400, (url, response.text)
        assert "form body is not valid UTF-8" in response.text
    raw = requests.post(writable_server.url + "/update", data=b"update=INSERT DATA { <http://e/a> "
                        b"<http://e/b> '\xff' }", headers={
                            "Content-Type": "application/x-www-form-urlencoded", **auth()})
    assert raw.status_code == 400 and "not valid UTF-8" in raw.text


@pytest.mark.parametrize("update, message", [
    ("DROP GRAPH <http://example.org/never>", "does not exist"),
    ("CLEAR GRAPH <http://example.org/never>", "does not exist"),
    ("MOVE <http://example.org/never> TO <http://example.org/other>", "does not exist"),
    ("CREATE GRAPH <https://w3id.org/kresy1939/graph/data>", "already exists"),
])
def test_an_update_the_dataset_refuses_is_400_with_the_engines_message(writable_server, update,
                                                                       message):
    before = writable_server.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    response = requests.post(writable_server.url + "/update", data={"update": update},
                             headers=auth(), timeout=60)
    assert response.status_code == 400, response.text
    assert message in response.text and "Traceback" not in response.text
    assert writable_server.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == before
    silent = update.replace(" GRAPH", " SILENT GRAPH", 1) if "GRAPH" in update.split()[1] \
        else update.replace(" ", " SILENT ", 1)
    assert requests.post(writable_server.url + "/update", data={"update": silent},
                         headers=auth(), timeout=60).status_code == 204


def test_syntax_error_is_400_with_the_parsers_position(server):
    response = server.query("SELECT * WHERE { ?s ?p }")
    assert response.status_code == 400
    assert "1:" in response.text and "error at" in response.text


def test_gsp_payload_syntax_error_is_400_plain(writable_server):
    response = requests.put(writable_server.url + "/store",
                            params={"graph": "http://example.org/bad"}, data=b"<a> <b> .",
                            headers={"Content-Type": "text/turtle", **auth()})
    assert response.status_code == 400
    assert "Traceback" not in response.text


def test_copy_sources_helper_points_at_fixture_files(tmp_path):
    flags = copy_sources(tmp_path)
    assert flags["--data-file"].is_file()
