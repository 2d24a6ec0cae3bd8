"""Load: 200 concurrent clients for a minute on a mix of valid, heavy and invalid requests.

The server is ``kg serve`` on the real graph with its shipped defaults, except a 5 s query
timeout so that the runaway queries in the mix end within the run. Every answer to a
valid request is compared with the answer computed from the store itself (pyoxigraph,
in this process, on the same files); under overload the only 5xx allowed is 503 with
Retry-After (and 429 with Retry-After for a client over its fair share: each client has
an address of its own, forwarded by a trusted proxy as a CDN would); the memory of the
server's process tree is compared after the warm-up and at the end, each time once the
tree is back to its idle set of processes. The run's figures go to
test-artifacts/robustness/load.json and, with ``pytest -s``, to the terminal.
"""

import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox
import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from kg.iris import DATA_GRAPH, PREFIXES, PROJECT_ROOT

from .conftest import (
    open_current,
    process_tree,
    real_graph_flags,
    rss_bytes,
    write_report,
)

pytestmark = pytest.mark.slow

#: Concurrent clients, and seconds of load after the warm-up (issue 8: 200 clients, 60 s).
CLIENTS = 200
DURATION = 60.0
#: Seconds of the same load before memory is first measured (caches and pools fill up).
WARM_UP = 10.0
#: Memory of the server's process tree may grow this much between warm-up and the end.
MAX_MEMORY_GROWTH = 0.20
#: Query timeout of the server under test: the runaway queries end within the run.
QUERY_TIMEOUT = "5"

#: A client retries a request once when its kept-alive connection was closed under it: the
#: server closes connections idle for 2 s (gunicorn's keep-alive), and a client thread that
#: waited that long for the CPU may send on one at that very moment (browsers retry too).
KEEP_ALIVE_RETRY = Retry(total=1, connect=1, read=1, status=0, other=0, allowed_methods=None,
                         raise_on_status=False)

JSON = "application/sparql-results+json"
NT = "application/n-triples"

POINT = "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }"
EVENTS = """SELECT ?e ?label ?date WHERE {
  ?e a kg:Event ; rdfs:label ?label FILTER(LANG(?label) = "en")
  OPTIONAL { ?e kg:startDate ?date }
} ORDER BY ?date ?e ?label"""
PROVENANCE = """SELECT ?property ?value ?quote ?section WHERE {
  ?statement rdf:subject kgr:SovietInvasionOfPoland ; rdf:predicate ?property ;
             rdf:object ?value ; prov:wasDerivedFrom ?evidence .
  ?evidence kg:section ?section ; oa:hasSelector/oa:exact ?quote .
}"""
ASK = "ASK { kgr:Lwow a kg:City }"
DESCRIBE = "CONSTRUCT WHERE { kgr:Lwow ?p ?o }"
# Heavy: touch every quad.
FACTS_PER_PROPERTY = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
EVERYTHING = "CONSTRUCT WHERE { ?s ?p ?o }"
#: A cartesian product over the store: minutes of work, stopped at the query timeout.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class Request:
    """One kind of request in the mix, and what a correct answer to it is."""

    name: str
    kind: str  # valid, heavy or invalid
    method: str
    path: str
    options: dict = field(default_factory=dict)
    weight: float = 1.0
    #: For invalid requests: the status a correct server answers.
    status: int = 200
    #: For valid ones: the answer, made comparable (see ``comparable``).
    expected: object = None
    compare: str = "bytes"


def solutions(body: bytes, ordered: bool) -> list:
    results = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    names = [variable.value for variable in results.variables]
    rows = [tuple((name, str(row[name])) for name in names if row[name] is not None)
            for row in results]
    return rows if ordered else sorted(rows)


def triples(body: bytes) -> list[str]:
    """The graph's triples, blank nodes labelled canonically (RDFC-1.0), so that two
    answers compare equal exactly when they are the same graph."""
    graph = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object)
                       for t in ox.parse(body, ox.RdfFormat.N_TRIPLES))
    graph.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q.triple) for q in graph)


def comparable(compare: str, body: bytes):
    if compare == "ordered":
        return solutions(body, ordered=True)
    if compare == "rows":
        return solutions(body, ordered=False)
    if compare == "boolean":
        return json.loads(body)["boolean"]
    if compare == "triples":
        return triples(body)
    if compare == "json":
        return json.loads(body)
    return body


def expected_from_store(store: ox.Store, query: str, compare: str):
    """The answer computed by pyoxigraph on the store's files, as the endpoint defines it
    (default graph = union of all graphs, the endpoint's predeclared prefixes)."""
    result = store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
    if isinstance(result, ox.QueryTriples):
        return comparable(compare, ox.serialize(list(result), format=ox.RdfFormat.N_TRIPLES))
    return comparable(compare, result.serialize(format=ox.QueryResultsFormat.JSON))


def the_mix(url: str, store: ox.Store) -> list[Request]:
    def sparql(name, kind, query, compare, how="get", weight=1.0, accept=JSON):
        headers = {"Accept": accept}
        if how == "get":
            options = {"params": {"query": query}, "headers": headers}
        elif how == "form":
            options = {"data": {"query": query}, "headers": headers}
        else:
            options = {"data": query.encode(),
                       "headers": {**headers, "Content-Type": "application/sparql-query"}}
        return Request(name, kind, "GET" if how == "get" else "POST", "/sparql", options,
                       weight, expected=expected_from_store(store, query, compare),
                       compare=compare)

    def answered_now(name, kind, path, compare, weight=1.0, **options):
        """A non-SPARQL route: its answer on the idle server before the load is the
        reference (the caller checks that it names what the store holds)."""
        response = requests.get(url + path, timeout=30, **options)
        assert response.status_code == 200, (path, response.text)
        return Request(name, kind, "GET", path, options, weight,
                       expected=comparable(compare, response.content), compare=compare)

    def invalid(name, method, path, status, weight=1.0, **options):
        return Request(name, "invalid", method, path, options, weight, status=status)

    labels = answered_now("label search", "valid", "/api/labels", "json",
                          params={"q": "lwow", "limit": 5})
    assert labels.expected["results"][0]["iri"] == PREFIXES["kgr"] + "Lwow"
    reconciled = answered_now("reconcile", "valid", "/reconcile", "json", weight=0.5,
                              params={"queries": json.dumps({"q0": {"query": "Łuck"}})})
    assert reconciled.expected["q0"]["result"][0]["id"] == "Luck"
    page = answered_now("resource page", "valid", "/resource/Lwow", "bytes", weight=0.5,
                        headers={"Accept": "text/html"})
    assert "Lwów" in page.expected.decode()
    described = answered_now("resource as RDF", "valid", "/resource/Lwow.nt", "triples",
                             weight=0.5)
    void = answered_now("VoID", "valid", "/.well-known/void", "triples", weight=0.3,
                        headers={"Accept": NT})
    data_graph = triples(ox.serialize([q.triple for q in store.quads_for_pattern(
        None, None, None, ox.NamedNode(DATA_GRAPH))], format=ox.RdfFormat.N_TRIPLES))
    static = PROJECT_ROOT / "src" / "kg" / "web" / "static" / "query" / "app.js"
    return [
        sparql("point lookup", "valid", POINT, "rows", weight=4),
        sparql("events by date", "valid", EVENTS, "ordered", how="form", weight=2),
        sparql("provenance", "valid", PROVENANCE, "rows", how="direct", weight=2),
        sparql("ask", "valid", ASK, "boolean"),
        sparql("describe", "valid", DESCRIBE, "triples", accept=NT),
        labels,
        reconciled,
        Request("static file", "valid", "GET", "/static/query/app.js",
                expected=static.read_bytes()),
        sparql("facts per property", "heavy", FACTS_PER_PROPERTY, "ordered", weight=0.5),
        sparql("everything", "heavy", EVERYTHING, "triples", how="form", weight=0.2, accept=NT),
        Request("data graph dump", "heavy", "GET", "/store",
                {"params": {"graph": DATA_GRAPH}, "headers": {"Accept": NT}}, 0.2,
                expected=data_graph, compare="triples"),
        Request("data dump file", "heavy", "GET", "/dumps/kresy1939-data.nt", weight=0.2,
                expected=data_graph, compare="triples"),
        void,
        page,
        described,
        invalid("syntax error", "GET", "/sparql", 400, params={"query": "SELECT * { ?s ?p }"}),
        invalid("unknown format", "GET", "/sparql", 400,
                params={"query": POINT, "format": "png"}),
        invalid("not acceptable", "POST", "/sparql", 406, data={"query": POINT},
                headers={"Accept": "image/png"}),
        invalid("wrong content type", "POST", "/sparql", 415, data=b"ASK {}",
                headers={"Content-Type": "text/plain"}),
        invalid("invalid UTF-8", "POST", "/sparql", 400, data=b"ASK { \xff\xfe }",
                headers={"Content-Type": "application/sparql-query"}),
        invalid("query too long", "POST", "/sparql", 413, weight=0.2,
                data={"query": POINT + " " * 100_001}),
        invalid("URL too long", "GET", "/sparql", 414, weight=0.2,
                params={"query": POINT + " " * 9000}),
        invalid("SERVICE refused", "GET", "/sparql", 400,
                params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}),
        invalid("update on read-only", "POST", "/update", 403,
                data={"update": "INSERT DATA { <http://e/a> <http://e/b> 1 }"},
                headers={"Authorization": "Bearer guess"}),
        invalid("not an IRI", "GET", "/store", 400, params={"graph": "not an iri"}),
        invalid("bad limit", "GET", "/api/labels", 400, params={"q": "x", "limit": "ten"}),
        invalid("bad batch", "GET", "/reconcile", 400, params={"queries": "{not json"}),
        invalid("no such page", "GET", "/no/such/page", 404),
        invalid("wrong method", "DELETE", "/sparql", 405),
    ]


@dataclass
class Tally:
    """What the clients saw, counted under one lock."""

    sent: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_request: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: Request, outcome: str, problem: str | None) -> None:
        with self.lock:
            self.sent += 1
            self.by_status[outcome] += 1
            self.by_request.setdefault(request.name, Counter())[outcome] += 1
            if problem and len(self.problems) < 50:
                self.problems.append(f"{request.name}: {problem}")


def judge(request: Request, response: requests.Response) -> str | None:
    """What is wrong with this answer, or None."""
    status = response.status_code
    if status in (429, 503) and response.headers.get("Retry-After", "").isdigit():
        return None  # overloaded, or this client used its share: it may retry
    if status >= 500:
        if request.kind == "heavy" and status == 503 and "time limit" in response.text:
            return None  # the runaway (and only a heavy query) may hit the time limit
        return f"{status} {response.headers.get('Retry-After')!r} {response.text[:200]!r}"
    if request.kind == "invalid":
        return None if status == request.status else f"{status}, expected {request.status}"
    if status != 200:
        return f"{status} {response.text[:200]!r}"
    if comparable(request.compare, response.content) != request.expected:
        return f"a wrong answer: {response.content[:200]!r}"
    return None


def outcome(response: requests.Response) -> str:
    """The status as the report counts it: a 503 says whether it invites a retry."""
    if response.status_code != 503:
        return str(response.status_code)
    return "503 Retry-After" if "Retry-After" in response.headers else "503 time limit"


def client(url: str, mix: list[Request], seed: int, stop: threading.Event, tally: Tally,
           runaway: bool) -> None:
    """One client: requests back to back until ``stop``; ``runaway`` sends only the runaway."""
    rng = random.Random(seed)
    weights = [r.weight for r in mix]
    runaway_request = Request("runaway", "heavy", "POST", "/sparql",
                              {"data": {"query": RUNAWAY}, "headers": {"Accept": JSON}},
                              status=503)
    with requests.Session() as session:
        session.mount("http://", HTTPAdapter(max_retries=KEEP_ALIVE_RETRY))
        # 200 clients, not one: each has an address of its own behind the trusted proxy
        # (the server gives each client address a fair share of the evaluators).
        session.headers["X-Forwarded-For"] = f"10.0.{seed % 256}.{seed // 256 % 256 + 1}"
        while not stop.is_set():
            request = runaway_request if runaway else rng.choices(mix, weights)[0]
            try:
                response = session.request(request.method, url + request.path, timeout=60,
                                           **request.options)
            except requests.RequestException as error:
                tally.record(request, type(error).__name__, f"{type(error).__name__}: {error}")
                continue
            if runaway:
                # Stopped at the time limit, or refused while every slot was busy.
                stopped = response.status_code in (429, 503) and (
                    "time limit" in response.text or "Retry-After" in response.headers)
                problem = None if stopped else f"{response.status_code} {response.text[:100]!r}"
            else:
                problem = judge(request, response)
            tally.record(request, outcome(response), problem)


def settled_rss(server, processes: int, timeout: float = 60) -> int:
    """RSS of the server's process tree once it is back to ``processes`` processes (the
    evaluators started for the load's peaks, or replacing killed runaways, have settled),
    so that memory is always compared for the same set of processes."""
    deadline = time.monotonic() + timeout
    while len(tree := process_tree(server.process.pid)) != processes:
        assert time.monotonic() < deadline, f"{len(tree)} processes, not {processes}"
        time.sleep(0.2)
    return rss_bytes(tree)


def load(server, mix: list[Request], seconds: float, tally: Tally, seed: int) -> list[int]:
    """``CLIENTS`` clients for ``seconds``; client 0 sends runaway queries back to back, so
    one query slot is always busy with one. Returns the process counts seen, once a second."""
    stop = threading.Event()
    clients = [threading.Thread(target=client,
                                args=(server.url, mix, seed + n, stop, tally, n == 0))
               for n in range(CLIENTS)]
    for thread in clients:
        thread.start()
    counts = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        counts.append(len(process_tree(server.process.pid)))
        time.sleep(1)
    stop.set()
    for thread in clients:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in clients)
    return counts


def test_200_clients_for_a_minute_get_correct_answers_or_503_and_memory_stays_flat(
        start_server, tmp_path):
    server = start_server(real_graph_flags(tmp_path), env={"KG_QUERY_TIMEOUT": QUERY_TIMEOUT,
                                                           "KG_TRUSTED_PROXIES": "127.0.0.1"})
    store = open_current(tmp_path / "store")
    mix = the_mix(server.url, store)
    version = requests.get(server.url + "/healthz", timeout=10).json()["version"]
    idle = len(process_tree(server.process.pid))

    tally = Tally()
    started = time.monotonic()
    counts = load(server, mix, WARM_UP, tally, seed=0)
    warm = settled_rss(server, idle)
    counts += load(server, mix, DURATION, tally, seed=CLIENTS)
    end = settled_rss(server, idle)
    seconds = time.monotonic() - started
    growth = end / warm - 1
    after = {r.name: judge(r, requests.request(r.method, server.url + r.path, timeout=60,
                                               **r.options))
             for r in mix}
    health = requests.get(server.url + "/healthz", timeout=10)

    report = {
        "clients": CLIENTS, "warm_up_s": WARM_UP, "duration_s": DURATION,
        "elapsed_s": round(seconds, 1), "requests_sent": tally.sent,
        "requests_per_s": round(tally.sent / seconds, 1),
        "by_status": dict(tally.by_status),
        "by_request": {name: dict(counts) for name, counts in sorted(tally.by_request.items())},
        "problems": tally.problems,
        "rss_after_warm_up_mb": round(warm / 2**20, 1), "rss_at_end_mb": round(end / 2**20, 1),
        "rss_growth": round(growth, 3), "processes_under_load": counts,
        "afterwards": after,
    }
    path = write_report("load", report)
    print(f"\nload: {tally.sent} requests from {CLIENTS} clients in {seconds:.0f} s "
          f"({report['requests_per_s']}/s); by status {dict(tally.by_status)}; "
          f"server RSS {report['rss_after_warm_up_mb']} -> {report['rss_at_end_mb']} MB "
          f"({growth:+.1%}); report {path}")

    assert tally.problems == []
    assert tally.by_request["point lookup"]["200"] > 0  # real answers, not only 503s
    assert growth < MAX_MEMORY_GROWTH
    # Afterwards: every valid request answers correctly, the same store version serves.
    assert {name: problem for name, problem in after.items() if problem} == {}
    assert health.status_code == 200 and health.json()["version"] == version
