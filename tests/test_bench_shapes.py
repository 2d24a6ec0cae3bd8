"""The benchmark's query shapes (bench/shapes.py) get real, right answers from a real server,
so the benchmark cannot end up measuring how fast errors or empty answers are sent."""

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.source import article_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import shapes  # noqa: E402

BY_NAME = {shape.name: shape for shape in shapes.SHAPES}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def answer(server, shape, resource=shapes.FIXED):
    response = server.query(shape.query(resource), accept=shape.accept)
    size = shapes.count_answer(shape, response.status_code,
                               response.headers["Content-Type"], response.content)
    return response, size


def rows(response) -> list[dict]:
    return [{k: v["value"] for k, v in row.items()}
            for row in response.json()["results"]["bindings"]]


def varied(server, shape, count=3) -> list[str]:
    resources = [row["r"] for row in server.select(shapes.PREFIXES + shape.resources)]
    assert len(resources) > count
    return [shapes.FIXED, *resources[:count]]


def test_point_lookup_answers_the_resource_s_own_triples(article_server):
    shape = BY_NAME["point lookup"]
    for resource in varied(article_server, shape):
        response, size = answer(article_server, shape, resource)
        assert size > 0
        assert RDFS_LABEL in {row["p"] for row in rows(response)}


def test_join_lists_dated_events_in_date_order(article_server):
    response, size = answer(article_server, BY_NAME["join + ORDER BY"])
    events = rows(response)
    assert size >= 5
    assert shapes.FIXED not in {row["event"] for row in events}  # the one left out
    years = [row["date"][:4] for row in events]
    assert years == sorted(years) and years[0] == "1939"
    assert any(row.get("placeLabel") for row in events)


def test_provenance_quotes_are_words_of_the_article(article_server):
    article = article_text()
    shape = BY_NAME["provenance"]
    for resource in varied(article_server, shape):
        response, size = answer(article_server, shape, resource)
        assert size > 0
        for row in rows(response):
            assert row["quote"] in article and row["section"]


def test_aggregate_counts_facts_per_property_most_first(article_server):
    response, _ = answer(article_server, BY_NAME["aggregate"])
    counts = [(row["property"], int(row["facts"])) for row in rows(response)]
    assert len(counts) > 10
    assert [n for _, n in counts] == sorted((n for _, n in counts), reverse=True)
    assert dict(counts)[RDFS_LABEL] > 50


def test_construct_describes_the_resource(article_server):
    shape = BY_NAME["CONSTRUCT"]
    for resource in varied(article_server, shape):
        response, size = answer(article_server, shape, resource)
        triples = list(ox.parse(response.content, ox.RdfFormat.TURTLE))
        assert size == len(triples) > 0
        assert {t.subject for t in triples} == {ox.NamedNode(resource)}


def test_an_error_answer_is_not_counted_as_an_answer(article_server):
    shape = BY_NAME["point lookup"]
    response = article_server.query("SELECT ?x WHERE { ?x", accept=shape.accept)
    with pytest.raises(ValueError):
        shapes.count_answer(shape, response.status_code, response.headers["Content-Type"],
                            response.content)
