"""A query whose client went away is stopped, and its slot serves the next client.

Real server, real sockets: each abandoned query is a raw HTTP request on its own TCP
connection that is closed while the query runs, as curl with ``--max-time``, a proxy's
timeout or a browser's cancel do.
"""

import socket
import threading
import time
import uuid
from urllib.parse import urlencode

import pytest
import requests
from conftest import processes_using

pytestmark = pytest.mark.slow

#: A cartesian product over the whole store: minutes of work without a limit.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
POINT = "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }"


def uncached(query: str) -> str:
    """The query with a comment no other request has, so the answer cache cannot answer it
    and it needs an evaluator slot."""
    return f"{query}\n# {uuid.uuid4()}"


def send_and_hang_up(server, query: str, running_for: float) -> None:
    """POST ``query`` on a fresh connection and close it ``running_for`` seconds later."""
    body = urlencode({"query": query}).encode()
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Accept: application/sparql-results+json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(running_for)


def logged(server, status: int) -> int:
    """How many queries the access log shows with ``status`` (499: stopped on a hang-up)."""
    return server.log.read_text().count(f"POST /sparql {status}")


def test_a_client_that_hangs_up_frees_its_slot_for_the_next_client(start_server):
    # One slot in all, a 60 s time limit and a 1 s queue: if the abandoned runaway kept
    # its slot, the next query would wait a second and get 503.
    single = start_server(env={"KG_WORKERS": "1", "KG_QUERY_SLOTS": "1",
                               "KG_CLIENT_QUERIES": "0", "KG_QUERY_TIMEOUT": "60",
                               "KG_QUEUE_WAIT": "1"})
    store = single.flags["--store"]
    assert single.select(POINT) == [{"d": "1939-09-17"}]
    evaluators = processes_using(store)
    send_and_hang_up(single, RUNAWAY, running_for=1.5)
    answer = single.query(uncached(POINT))
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"]["bindings"][0]["d"]["value"] == "1939-09-17"
    assert logged(single, 499) == 1
    # The evaluator that ran the runaway was killed, not left to finish it.
    assert not evaluators <= processes_using(store)


def test_eight_abandoned_runaways_leave_the_endpoint_answering(start_server):
    # No per-client limit, so that all eight reach the evaluators (six slots in all; two
    # wait for one and are abandoned while waiting).
    server = start_server(env={"KG_CLIENT_QUERIES": "0", "KG_CLIENT_QUERY_TIME": "0",
                               "KG_QUERY_TIMEOUT": "60"})
    abandoned = [threading.Thread(target=send_and_hang_up, args=(server, RUNAWAY, 1.5))
                 for _ in range(8)]
    for thread in abandoned:
        thread.start()
    for thread in abandoned:
        thread.join()
    # Every slot of both workers is free again: six point lookups at once all answer.
    answers = []
    lookups = [threading.Thread(target=lambda: answers.append(server.query(uncached(POINT))))
               for _ in range(6)]
    for thread in lookups:
        thread.start()
    for thread in lookups:
        thread.join()
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    # Those evaluating were stopped at the hang-up; any that waited for a slot got 503.
    assert logged(server, 499) >= 3 and logged(server, 499) + logged(server, 503) == 8
    assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
