"""GET answers and pages carry validators a browser or a cache can revalidate with.

An ETag and Last-Modified from the store's version, ``Cache-Control`` with the
operator's max-age; a repeated GET with ``If-None-Match`` is 304, until an update
publishes a new version.
"""

import requests
from conftest import TOKEN, auth

QUERY = "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }"
JSON = "application/sparql-results+json"


def get_query(server, query: str = QUERY, **headers) -> requests.Response:
    return requests.get(server.url + "/sparql", params={"query": query},
                        headers={"Accept": JSON, **headers}, timeout=30)


def test_a_repeated_get_query_with_its_etag_is_304(server):
    first = get_query(server)
    assert first.status_code == 200
    assert first.headers["ETag"].startswith('W/"')
    assert "max-age=60" in first.headers["Cache-Control"]
    assert "Accept" in first.headers["Vary"]
    again = get_query(server, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    # Another format of the same query is another representation: a full answer.
    as_csv = requests.get(server.url + "/sparql", params={"query": QUERY}, timeout=30,
                          headers={"Accept": "text/csv", "If-None-Match": first.headers["ETag"]})
    assert as_csv.status_code == 200 and as_csv.headers["ETag"] != first.headers["ETag"]


def test_answers_that_vary_between_runs_and_posts_carry_no_validator(server):
    random = get_query(server, "SELECT (RAND() AS ?r) WHERE {}")
    assert random.status_code == 200
    assert random.headers["Cache-Control"] == "no-store" and "ETag" not in random.headers
    posted = requests.post(server.url + "/sparql", data={"query": QUERY},
                           headers={"Accept": JSON}, timeout=30)
    assert posted.status_code == 200 and "ETag" not in posted.headers


def test_resources_and_their_rdf_revalidate_with_etag_and_last_modified(server):
    for path, accept in (("/resource/Lwow", "text/html"), ("/resource/Lwow", "text/turtle"),
                         ("/resource/Lwow.nt", "*/*"), ("/ontology", "text/turtle"),
                         ("/", "text/html")):
        first = requests.get(server.url + path, headers={"Accept": accept}, timeout=30)
        assert first.status_code == 200, path
        assert first.headers["ETag"] and first.headers["Last-Modified"], path
        by_tag = requests.get(server.url + path, timeout=30, headers={
            "Accept": accept, "If-None-Match": first.headers["ETag"]})
        assert by_tag.status_code == 304, path
        by_date = requests.get(server.url + path, timeout=30, headers={
            "Accept": accept, "If-Modified-Since": first.headers["Last-Modified"]})
        assert by_date.status_code == 304, path
    page = requests.get(server.url + "/resource/Lwow", headers={"Accept": "text/html"},
                        timeout=30)
    rdf = requests.get(server.url + "/resource/Lwow", headers={"Accept": "text/turtle"},
                       timeout=30)
    assert page.headers["ETag"] != rdf.headers["ETag"]
    # A stale tag is no match.
    stale = requests.get(server.url + "/resource/Lwow", timeout=30, headers={
        "Accept": "text/turtle", "If-None-Match": 'W/"0123456789abcdef01234567"'})
    assert stale.status_code == 200 and stale.text == rdf.text


def test_after_an_update_the_old_etag_gets_the_new_answer(start_server):
    server = start_server(env={"KG_UPDATE_TOKEN": TOKEN, "KG_HTTP_MAX_AGE": "5"})
    query = "SELECT ?o WHERE { <http://example.org/cached> <http://example.org/p> ?o }"
    first = get_query(server, query)
    assert first.status_code == 200 and first.json()["results"]["bindings"] == []
    assert "max-age=5" in first.headers["Cache-Control"]
    page = requests.get(server.url + "/resource/Lwow.ttl", timeout=30)
    assert get_query(server, query, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    update = requests.post(server.url + "/update", headers=auth(), timeout=30, data={
        "update": "INSERT DATA { <http://example.org/cached> <http://example.org/p> 1 }"})
    assert update.status_code == 204
    after = get_query(server, query, **{"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert after.json()["results"]["bindings"][0]["o"]["value"] == "1"
    assert after.headers["ETag"] != first.headers["ETag"]
    again = requests.get(server.url + "/resource/Lwow.ttl", timeout=30,
                         headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 200
