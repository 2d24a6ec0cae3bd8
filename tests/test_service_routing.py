"""Every SERVICE clause is found and routed through the gateway, and only real ones."""

import pytest

from kg.wikidata.federation import Federation, ServiceRefused, service_clauses

WDQS = "https://query.wikidata.org/sparql"


@pytest.fixture
def federation():
    federation = Federation((WDQS,))
    yield federation
    federation.close()


@pytest.mark.parametrize("query", [
    f"SELECT * WHERE {{ SERVICE <{WDQS}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent <{WDQS}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICE # a comment\n SILENT # another\n <{WDQS}> {{ ?s ?p ?o }} }}",
    "PREFIX q: <https://query.wikidata.org/> SELECT * WHERE { SERVICE q:sparql { ?s ?p ?o } }",
    f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{WDQS}> {{ ?s ?p ?o }} }} }}",
])
def test_allowed_service_is_routed_to_the_gateway(federation, query):
    prepared = federation.prepare(query)
    assert [clause.endpoint for clause in service_clauses(prepared.query)] == [
        prepared.routes[0]]
    assert prepared.routes[0].startswith("http://127.0.0.1:")


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://evil.example/sparql> {}" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://evil.example/sparql>",
    "SELECT * WHERE { ?s <http://example.org/#SERVICE> ?o }",
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ?o }",
])
def test_the_word_service_outside_a_clause_is_left_alone(federation, query):
    assert service_clauses(query) == []
    assert federation.prepare(query).query == query


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://elsewhere.example/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    f"SELECT * WHERE {{ SERVICE <{WDQS}> {{ SERVICE <http://x.example/> {{ ?s ?p ?o }} }} }}",
    "BASE <https://query.wikidata.org/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
])
def test_other_endpoints_are_refused_before_anything_is_contacted(federation, query):
    with pytest.raises(ServiceRefused):
        federation.prepare(query)


def test_query_text_around_the_clause_is_unchanged(federation):
    query = f'SELECT * WHERE {{ ?s rdfs:label "Lwów" . SERVICE <{WDQS}> {{ ?s ?p ?o }} }}'
    prepared = federation.prepare(query)
    before, after = query.split(f"<{WDQS}>")
    assert prepared.query == f"{before}<{prepared.routes[0]}>{after}"
