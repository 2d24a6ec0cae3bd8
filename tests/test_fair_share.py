"""Each client gets a fair share of the evaluators: a greedy one gets 429, others are served.

Two clients on one machine: the loopback network answers from any 127.x.y.z address, so
the second client connects from 127.0.0.2; behind a trusted proxy the clients are told
apart by ``X-Forwarded-For``.
"""

import http.client
import threading
import time
import uuid
from urllib.parse import urlencode

import pytest

from kg.store import TooManyQueries
from kg.web.clients import Ledger, client_address, networks

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
POINT = "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }"


def post(server, query: str, source: str = "127.0.0.1", headers: dict | None = None,
         accept: str = "application/sparql-results+json") -> tuple[int, dict, str]:
    """POST a query from the loopback address ``source``: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60,
                                            source_address=(source, 0))
    try:
        connection.request("POST", "/sparql", urlencode({"query": query}), {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
            **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def uncached(query: str) -> str:
    return f"{query}\n# {uuid.uuid4()}"


def in_background(function, *args) -> threading.Thread:
    thread = threading.Thread(target=function, args=args, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
def test_a_greedy_client_gets_429_while_another_keeps_getting_200(start_server):
    server = start_server(env={"KG_CLIENT_QUERIES": "2", "KG_QUERY_TIMEOUT": "8"})
    greedy = [in_background(post, server, RUNAWAY) for _ in range(2)]
    time.sleep(2)  # both runaways are evaluating
    status, headers, body = post(server, RUNAWAY)
    assert status == 429
    assert int(headers["Retry-After"]) >= 1
    assert "queries running" in body and len(body.strip().splitlines()) == 1
    for _ in range(5):  # the other client is served at once, from its own share
        status, _, body = post(server, uncached(POINT), source="127.0.0.2")
        assert status == 200, body
    for thread in greedy:
        thread.join()


@pytest.mark.slow
def test_a_client_that_used_its_query_time_waits_as_retry_after_says(start_server):
    # 2 s of query time per minute; each runaway uses its whole 1.5 s time limit.
    server = start_server(env={"KG_CLIENT_QUERY_TIME": "2", "KG_QUERY_TIMEOUT": "1.5"})
    for _ in range(2):
        status, _, body = post(server, RUNAWAY)
        assert status == 503 and "time limit" in body
    status, headers, body = post(server, uncached(POINT))
    assert status == 429
    assert "query time" in body
    # 1 s over a budget that refills at 2 s per 60 s: about 30 s until the next query.
    assert 10 <= int(headers["Retry-After"]) <= 60
    status, _, body = post(server, uncached(POINT), source="127.0.0.2")
    assert status == 200, body


@pytest.mark.slow
def test_behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_address(start_server):
    server = start_server(env={"KG_CLIENT_QUERIES": "1", "KG_QUERY_TIMEOUT": "8",
                               "KG_TRUSTED_PROXIES": "127.0.0.1"})
    greedy = {"X-Forwarded-For": "198.51.100.7"}
    runaway = in_background(post, server, RUNAWAY, "127.0.0.1", greedy)
    time.sleep(2)
    assert post(server, RUNAWAY, headers=greedy)[0] == 429
    other = {"X-Forwarded-For": "203.0.113.9"}
    assert post(server, uncached(POINT), headers=other)[0] == 200
    # A client cannot pose as another by sending the header itself: 127.0.0.2 is no proxy.
    status, _, _ = post(server, uncached(POINT), source="127.0.0.2", headers=greedy)
    assert status == 200
    runaway.join()


def test_the_ledger_counts_running_queries_and_refills_query_time():
    ledger = Ledger(max_running=2, seconds_per_minute=1.0)
    ledger.admit("a")
    ledger.admit("a")
    with pytest.raises(TooManyQueries) as refused:
        ledger.admit("a")
    assert refused.value.status == 429
    ledger.admit("b")  # another client is not affected
    ledger.release("a", 0.2)
    ledger.release("a", 0.9)  # 1.1 s used of 1 s per minute
    with pytest.raises(TooManyQueries) as spent:
        ledger.admit("a")
    assert "query time" in str(spent.value)
    assert 1 <= int(spent.value.headers["Retry-After"]) <= 7  # 0.1 s over, at 1/60 s per s
    unlimited = Ledger(max_running=0, seconds_per_minute=0)
    assert not unlimited.enabled


def test_the_forwarded_address_counts_only_from_a_trusted_proxy():
    trusted = networks(("10.0.0.0/8",))
    proxied = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "192.0.2.1, 10.9.9.9"}
    assert client_address(proxied, trusted) == "192.0.2.1"
    assert client_address({**proxied, "REMOTE_ADDR": "192.0.2.50"}, trusted) == "192.0.2.50"
    assert client_address(proxied, ()) == "10.1.2.3"
    # A client's own X-Forwarded-For entries before the proxy's are not believed.
    spoofed = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 192.0.2.1"}
    assert client_address(spoofed, trusted) == "192.0.2.1"
