"""SERVICE works for the endpoints the operator allows, within limits, and for no other.

The server is ``kg serve`` on a store built from data/triples.ttl; "Wikidata" is a
local ``oxigraph serve`` holding tests/fixtures/wikidata-sample.ttl; further allowed
endpoints are small HTTP servers here that record what they receive, answer slowly
or answer too much.
"""

import http.server
import json
import socket
import threading
import time

import pytest
import requests
from conftest import Server
from wikidata_sample import sample_endpoint  # noqa: F401 - a fixture

from kg.wikidata import USER_AGENT

ONE_ROW = json.dumps({"head": {"vars": ["x"]},
                      "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}})
SERVICE_TIMEOUT = 2
SERVICE_MAX_BYTES = 50_000


class _Remote(http.server.BaseHTTPRequestHandler):
    """/ok answers one row, /slow answers after the timeout, /drip a byte every half
    second, /huge answers too much, /redirect sends the client elsewhere."""

    def do_POST(self):
        self.server.seen.append((self.path, dict(self.headers)))
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/redirect":
            self.send_response(307)
            self.send_header("Location", self.server.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(SERVICE_TIMEOUT * 3)
        if self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(SERVICE_TIMEOUT * 6):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
            return
        body = ONE_ROW.encode() if self.path != "/huge" else b" " * (SERVICE_MAX_BYTES * 4)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the gateway hung up on a slow or huge answer, as it should

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def remote():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Remote)
    server.daemon_threads = True
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def forbidden():
    """A listener that counts the connections it receives: none is expected."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", accepted
    stop.set()
    thread.join()
    listener.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_endpoint, remote):  # noqa: F811 - fixture argument
    """``kg serve`` on the real data and ontology, allowing the sample and the remotes."""
    base = f"http://127.0.0.1:{remote.server_address[1]}"
    workdir = tmp_path_factory.mktemp("federated")
    started = Server(workdir, {"--store": workdir / "store"}, {
        "KG_ALLOWED_SERVICES": f"{sample_endpoint} {base}/ok {base}/slow {base}/huge "
                               f"{base}/redirect {base}/drip",
        "KG_SERVICE_TIMEOUT": str(SERVICE_TIMEOUT),
        "KG_SERVICE_MAX_BYTES": str(SERVICE_MAX_BYTES)}).start()
    yield started.url
    started.stop()


def ask(server, query):
    return requests.post(f"{server}/sparql", data={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)


def rows(response):
    assert response.status_code == 200, response.text
    names = response.json()["head"]["vars"]
    return {tuple(binding[v]["value"] for v in names if v in binding)
            for binding in response.json()["results"]["bindings"]}


def test_service_joins_our_entities_with_wikidata_through_their_links(
        server, sample_endpoint):  # noqa: F811 - fixture argument
    answer = ask(server, f"""
        SELECT ?resource ?ours ?theirs ?start WHERE {{
          ?resource skos:exactMatch ?item ; rdfs:label ?ours .
          FILTER(LANG(?ours) = "en" && STRSTARTS(STR(?resource), STR(kgr:)))
          SERVICE <{sample_endpoint}> {{
            ?item rdfs:label ?theirs . FILTER(LANG(?theirs) = "en")
            OPTIONAL {{ ?item wdt:P580 ?start }}
          }}
        }}""")
    joined = rows(answer)
    assert (f"{RESOURCE}Lwow", "Lwów", "Lviv") in joined
    assert (f"{RESOURCE}Luck", "Łuck", "Lutsk") in joined
    assert (f"{RESOURCE}SovietInvasionOfPoland", "Soviet invasion of Poland",
            "Soviet invasion of Poland", "1939-09-17T00:00:00Z") in joined
    # Only items both sides know: every sample item our data links to, nothing else.
    assert {row[0].removeprefix(RESOURCE) for row in joined} == {
        "Lwow", "Luck", "SovietUnion", "SecondPolishRepublic", "NaziGermany", "JosephStalin",
        "MolotovRibbentropPact", "SovietInvasionOfPoland", "OperationBarbarossa"}


def test_service_to_an_endpoint_not_allowed_is_400_and_never_contacted(server, forbidden):
    url, accepted = forbidden
    answer = ask(server, f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    assert answer.status_code == 400
    assert "not allowed" in answer.text
    silent = ask(server, f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}")
    assert silent.status_code == 400
    time.sleep(0.5)
    assert accepted == []


def test_service_calls_name_the_project_in_their_user_agent(server, remote):
    base = f"http://127.0.0.1:{remote.server_address[1]}"
    assert rows(ask(server, f"SELECT ?x WHERE {{ SERVICE <{base}/ok> {{ ?x ?p ?o }} }}")) == {
        ("1",)}
    path, headers = remote.seen[-1]
    assert path == "/ok"
    assert headers["User-Agent"] == USER_AGENT
    assert "kresy1939" in USER_AGENT


def test_slow_service_is_504_after_the_service_timeout(server, remote):
    base = f"http://127.0.0.1:{remote.server_address[1]}"
    started = time.monotonic()
    answer = ask(server, f"SELECT ?x WHERE {{ SERVICE <{base}/slow> {{ ?x ?p ?o }} }}")
    elapsed = time.monotonic() - started
    assert answer.status_code == 504, answer.text
    assert "did not answer within" in answer.text
    assert SERVICE_TIMEOUT <= elapsed < SERVICE_TIMEOUT + 2


def test_service_that_drips_its_answer_is_cut_off_at_the_timeout(server, remote):
    base = f"http://127.0.0.1:{remote.server_address[1]}"
    started = time.monotonic()
    answer = ask(server, f"SELECT ?x WHERE {{ SERVICE <{base}/drip> {{ ?x ?p ?o }} }}")
    assert answer.status_code == 504, answer.text
    assert time.monotonic() - started < SERVICE_TIMEOUT + 2


def test_service_answer_beyond_the_size_cap_is_502(server, remote):
    base = f"http://127.0.0.1:{remote.server_address[1]}"
    answer = ask(server, f"SELECT ?x WHERE {{ SERVICE <{base}/huge> {{ ?x ?p ?o }} }}")
    assert answer.status_code == 502, answer.text
    assert f"more than {SERVICE_MAX_BYTES} bytes" in answer.text


def test_silent_service_that_fails_gives_no_rows_not_an_error(server, remote):
    base = f"http://127.0.0.1:{remote.server_address[1]}"
    answer = ask(server, f"SELECT ?x WHERE {{ SERVICE SILENT <{base}/huge> {{ ?x ?p ?o }} }}")
    assert answer.status_code == 200, answer.text


RESOURCE = "https://w3id.org/kresy1939/resource/"


def test_a_redirect_from_an_allowed_endpoint_is_not_followed(server, remote, forbidden):
    url, accepted = forbidden
    remote.redirect_to = url
    base = f"http://127.0.0.1:{remote.server_address[1]}"
    answer = ask(server, f"SELECT ?x WHERE {{ SERVICE <{base}/redirect> {{ ?x ?p ?o }} }}")
    assert answer.status_code == 502, answer.text
    assert "not followed" in answer.text
    time.sleep(0.5)
    assert accepted == []
