"""Errors in the client's language: a browser gets a page saying what happened and when to
retry; curl and SPARQL clients keep one line of plain text."""

import threading
import time

import pytest
import requests

pytestmark = pytest.mark.slow

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: What Chromium and Firefox send when following a link.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def run_in_background(server) -> threading.Thread:
    def runaway():
        try:
            server.query(RUNAWAY)
        except requests.RequestException:
            pass

    thread = threading.Thread(target=runaway, daemon=True)
    thread.start()
    time.sleep(2)  # evaluating by now
    return thread


def test_a_browser_gets_a_styled_503_page_and_curl_a_line(start_server):
    busy = start_server(env={"KG_WORKERS": "1", "KG_QUERY_SLOTS": "1", "KG_QUEUE_WAIT": "0.2",
                             "KG_QUERY_TIMEOUT": "8"})
    runaway = run_in_background(busy)
    page = requests.get(busy.url + "/resource/Lwow", headers={"Accept": BROWSER}, timeout=10)
    assert page.status_code == 503
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Retry-After"] == "1"
    assert "The server is busy" in page.text and "Try again in 1 second" in page.text
    assert "pages.css" in page.text  # the site's layout, not a bare message
    plain = requests.get(busy.url + "/resource/Lwow", headers={"Accept": "*/*"}, timeout=10)
    assert plain.status_code == 503
    assert plain.headers["Content-Type"].startswith("text/plain")
    assert len(plain.text.strip().splitlines()) == 1
    runaway.join()


def test_a_browser_over_its_share_gets_a_429_page_saying_when_to_retry(start_server):
    server = start_server(env={"KG_CLIENT_QUERIES": "1", "KG_QUERY_TIMEOUT": "8"})
    runaway = run_in_background(server)
    page = requests.get(server.url + "/resource/Lwow", headers={"Accept": BROWSER}, timeout=10)
    assert page.status_code == 429
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Too many queries from you" in page.text and "fair share" in page.text
    assert "Try again in 1 second" in page.text
    query_answer = server.query(RUNAWAY)  # a SPARQL client: the one-line text
    assert query_answer.status_code == 429
    assert query_answer.headers["Content-Type"].startswith("text/plain")
    runaway.join()
