"""/reconcile speaks the W3C Reconciliation API (v0.2) as OpenRefine uses it.

Names are the article's own ("Lwów", "Łuck", "Włodzimierz Wołyński", "Josef Stalin")
and the spellings a spreadsheet would have once accents and case are lost; the graph
holds no "Lviv" or "Lutsk" (the article never writes them), so those are not expected
to match.
"""

import json

import pytest
import requests
from conftest import Server

from kg import iris


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``kg serve`` on the real data and ontology (the article's names, not a fixture's)."""
    workdir = tmp_path_factory.mktemp("reconcile")
    started = Server(workdir, {"--store": workdir / "store"}).start()
    yield started.url
    started.stop()


def reconcile(server, queries: dict, method="POST") -> dict:
    if method == "POST":  # what OpenRefine sends: a form field holding the JSON batch
        answer = requests.post(f"{server}/reconcile", data={"queries": json.dumps(queries)},
                               timeout=30)
    else:
        answer = requests.get(f"{server}/reconcile", params={"queries": json.dumps(queries)},
                              timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    return answer.json()


def best(result: dict, key: str) -> dict:
    return result[key]["result"][0]


def test_manifest_names_the_spaces_types_view_and_preview(server):
    manifest = requests.get(f"{server}/reconcile", timeout=30).json()
    assert "0.2" in manifest["versions"]
    assert manifest["name"]
    assert manifest["identifierSpace"] == iris.RESOURCE
    assert manifest["schemaSpace"] == iris.ONTOLOGY_NS
    assert {"id": "Place", "name": "Place"} in manifest["defaultTypes"]
    assert manifest["view"]["url"] == f"{server}/resource/{{{{id}}}}"  # the resource page
    assert manifest["preview"]["url"] == f"{server}/reconcile/preview?id={{{{id}}}}"
    assert manifest["preview"]["width"] > 0 and manifest["preview"]["height"] > 0


def test_manifest_as_jsonp_for_old_clients(server):
    answer = requests.get(f"{server}/reconcile", params={"callback": "jsonp123"}, timeout=30)
    assert answer.headers["Content-Type"].startswith("application/javascript")
    assert answer.text.startswith("jsonp123({") and answer.text.endswith("});")
    assert requests.get(f"{server}/reconcile", params={"callback": "alert(1)//"},
                        timeout=30).status_code == 400


@pytest.mark.parametrize("spelling", ["Lwów", "Lwow", "LWÓW", "lwow"])
def test_lwow_in_any_accent_or_case_is_a_certain_match(server, spelling):
    candidate = best(reconcile(server, {"q0": {"query": spelling}}), "q0")
    assert candidate == {"id": "Lwow", "name": "Lwów", "score": 100, "match": True,
                         "type": [{"id": "City", "name": "city"}], "description": ""}


def test_a_batch_as_openrefine_posts_it(server):
    result = reconcile(server, {
        "q0": {"query": "Łuck", "type": "City", "limit": 3, "type_strict": "should"},
        "q1": {"query": "LUCK"},
        "q2": {"query": "Wlodzimierz Wolynski", "type": "Place"},
        "q3": {"query": "Josef Stalin", "type": [{"id": "Person", "name": "person"}]},
        "q4": {"query": "Molotov-Ribbentrop Pact"},          # hyphen for the article's en dash
        "q5": {"query": "Romania", "properties": [{"pid": "x", "v": "y"}]},  # an alternative label
        "q6": {"query": "Invasi Soviet ke Polandia"},      # the Indonesian title
    })
    assert set(result) == {f"q{n}" for n in range(7)}
    assert [best(result, f"q{n}")["id"] for n in range(7)] == [
        "Luck", "Luck", "WlodzimierzWolynski", "JosephStalin", "MolotovRibbentropPact",
        "KingdomOfRomania", "SovietInvasionOfPoland"]
    assert all(best(result, f"q{n}")["match"] for n in range(7))
    assert best(result, "q5")["score"] < 100  # "Romania" is not its preferred label
    assert len(result["q0"]["result"]) <= 3


def test_a_partial_name_gives_scored_candidates_but_no_certain_match(server):
    candidates = reconcile(server, {"q0": {"query": "Stalin"}})["q0"]["result"]
    assert candidates[0]["id"] == "JosephStalin"
    assert 70 <= candidates[0]["score"] < 100 and candidates[0]["match"] is False
    assert [c["score"] for c in candidates] == sorted((c["score"] for c in candidates),
                                                      reverse=True)


def test_the_type_restricts_candidates(server):
    result = reconcile(server, {"q0": {"query": "Lwów", "type": "Person"},
                                "q1": {"query": "Lwów", "type": iris.term("City")}})
    assert result["q0"]["result"] == []
    assert best(result, "q1")["id"] == "Lwow"


def test_names_the_graph_does_not_hold_find_no_certain_match(server):
    result = reconcile(server, {"q0": {"query": "Lviv"}, "q1": {"query": "Lutsk"}}, "GET")
    assert not any(c["match"] for key in result for c in result[key]["result"])


def test_preview_shows_the_entity_and_links_its_page(server):
    answer = requests.get(f"{server}/reconcile/preview", params={"id": "Lwow"}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "Lwów" in answer.text and "city" in answer.text
    assert f'href="{server}/resource/Lwow"' in answer.text  # its page on this server
    assert iris.resource("Lwow") in answer.text  # and its persistent IRI
    missing = requests.get(f"{server}/reconcile/preview", params={"id": "Nowhere"}, timeout=30)
    assert missing.status_code == 404


def test_malformed_or_oversized_batches_are_client_errors(server):
    post = lambda data: requests.post(f"{server}/reconcile", data=data, timeout=30)  # noqa: E731
    assert post({"queries": "{not json"}).status_code == 400
    assert post({"queries": json.dumps({"q0": {"limit": 3}})}).status_code == 400
    assert post({"queries": json.dumps(["Lwów"])}).status_code == 400
    too_many = {f"q{n}": {"query": "Lwów"} for n in range(101)}
    assert post({"queries": json.dumps(too_many)}).status_code == 413


def test_odd_limits_and_types_are_answered_not_500(server):
    """Found by the robustness suite: an infinite limit and a numeric type id were 500s."""
    post = lambda query: requests.post(f"{server}/reconcile",  # noqa: E731
                                       data={"queries": json.dumps({"q0": query})}, timeout=30)
    assert post({"query": "Lwów", "limit": 1e999}).status_code == 400
    assert post({"query": "Lwów", "type": [{"id": 5}]}).json() == {"q0": {"result": []}}
    assert [c["id"] for c in post({"query": "Lwów", "limit": -3}).json()["q0"]["result"]] \
        == ["Lwow"]
