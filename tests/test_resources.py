"""Every IRI dereferences: resource and ontology pages for people, descriptions for RDF clients."""

import html
import re
from collections import defaultdict
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
import rdflib
import requests
from pyld import jsonld
from rdflib.compare import isomorphic

from kg import iris
from kg.iris import TRIPLES_FILE

RDF = iris.PREFIXES["rdf"]
PROV = iris.PREFIXES["prov"]
OA = iris.PREFIXES["oa"]
#: media type -> (suffix, rdflib parser name)
RDF_TYPES = {
    "text/turtle": ("ttl", "turtle"),
    "application/n-triples": ("nt", "nt"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/rdf+xml": ("rdf", "xml"),
}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Data:
    """data/triples.ttl read directly, to say what a description must hold."""

    def __init__(self):
        self.by_subject = defaultdict(set)
        for triple in ox.parse(path=str(TRIPLES_FILE), format=ox.RdfFormat.TURTLE):
            self.by_subject[triple.subject].add(triple)

    def objects(self, subject, predicate):
        return [t.object for t in self.by_subject[subject] if t.predicate.value == predicate]

    def resources(self) -> list[str]:
        return sorted(s.value for s in self.by_subject
                      if isinstance(s, ox.NamedNode) and s.value.startswith(iris.RESOURCE))

    def statements_of(self, resource: str):
        node = ox.NamedNode(resource)
        return [s for s, triples in self.by_subject.items()
                if ox.Triple(s, ox.NamedNode(RDF + "subject"), node) in triples]

    def expected(self, resource: str) -> set:
        """Its facts, its statements, their evidence and the evidence's selectors."""
        node = ox.NamedNode(resource)
        wanted = set(self.by_subject[node])
        for statement in self.statements_of(resource):
            wanted |= self.by_subject[statement]
            for evidence in self.objects(statement, PROV + "wasDerivedFrom"):
                wanted |= self.by_subject[evidence]
                for selector in self.objects(evidence, OA + "hasSelector"):
                    wanted |= self.by_subject[selector]
        return wanted


@pytest.fixture(scope="module")
def data():
    return Data()


def local(url_root: str, iri: str) -> str:
    return url_root + iris.local_route(iri)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_every_resource_dereferences_in_every_rdf_format(article_server, data):
    session = requests.Session()
    resources = data.resources()
    assert len(resources) > 500  # resources, statements, evidence and selectors
    for resource in resources:
        expected = data.expected(resource)
        for media_type, (_suffix, rdflib_format) in RDF_TYPES.items():
            answer = session.get(local(article_server.url, resource),
                                 headers={"Accept": media_type}, timeout=60)
            assert answer.status_code == 200, (resource, media_type, answer.text)
            assert answer.headers["Content-Type"].startswith(f"{media_type}; charset=utf-8")
            assert "Accept" in answer.headers["Vary"]
            parsed = set(ox.parse(answer.content, format=ox.RdfFormat.from_media_type(media_type)))
            missing = expected - parsed
            assert not missing, (resource, media_type, sorted(map(str, missing))[:5])
            graph = rdflib.Graph().parse(data=answer.content, format=rdflib_format)
            assert len(graph) == len(parsed), (resource, media_type)


def test_a_description_holds_facts_statements_and_evidence(article_server, data):
    resource = iris.resource("SovietInvasionOfPoland")
    answer = requests.get(local(article_server.url, resource),
                          headers={"Accept": "text/turtle"}, timeout=60)
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    invasion = rdflib.URIRef(resource)
    start = rdflib.URIRef(iris.term("startDate"))
    assert (invasion, start, rdflib.Literal("1939-09-17", datatype=rdflib.XSD.date)) in graph
    statements = list(graph.subjects(rdflib.RDF.predicate, start))
    assert statements and all((s, rdflib.RDF.subject, invasion) in graph for s in statements)
    quotes = {str(q) for s in statements
              for e in graph.objects(s, rdflib.PROV.wasDerivedFrom)
              for sel in graph.objects(e, rdflib.URIRef(OA + "hasSelector"))
              for q in graph.objects(sel, rdflib.URIRef(OA + "exact"))}
    assert "17 September – 6 October 1939" in quotes
    # Links to it come along: the claims about the invasion point at it.
    assert (rdflib.URIRef(iris.resource("claim-polish-dead-or-missing")),
            rdflib.URIRef(iris.term("about")), invasion) in graph


def test_browsers_get_the_page_and_clients_the_format_they_prefer(article_server):
    url = article_server.url + "/resource/Lwow"
    for accept, expected in [
        (BROWSER_ACCEPT, "text/html"),
        ("*/*", "text/html"),
        ("application/rdf+xml;q=0.5, text/turtle", "text/turtle"),
        ("application/n-triples, text/html;q=0.1", "application/n-triples"),
        ("application/json", "application/ld+json"),
    ]:
        answer = requests.get(url, headers={"Accept": accept}, timeout=30)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith(expected + ";"), accept
        assert "Accept" in answer.headers["Vary"]
    refused = requests.get(url, headers={"Accept": "image/png"}, timeout=30)
    assert refused.status_code == 406
    assert "text/turtle" in refused.text and "Accept" in refused.headers["Vary"]


def test_suffix_urls_give_one_format_without_negotiation(article_server, data):
    expected = data.expected(iris.resource("Lwow"))
    for media_type, (suffix, _) in RDF_TYPES.items():
        answer = requests.get(f"{article_server.url}/resource/Lwow.{suffix}",
                              headers={"Accept": "text/html"}, timeout=30)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith(f"{media_type}; charset=utf-8")
        parsed = set(ox.parse(answer.content, format=ox.RdfFormat.from_media_type(media_type)))
        assert expected <= parsed
    assert requests.get(article_server.url + "/resource/Lwow.exe", timeout=30).status_code == 404


JSONLD = "application/ld+json"
EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
COMPACTED = "http://www.w3.org/ns/json-ld#compacted"


def as_graph(json_ld: dict) -> rdflib.Graph:
    """What PyLD, a JSON-LD processor of its own, reads from a document."""
    nquads = jsonld.to_rdf(json_ld, {"format": "application/n-quads"})
    return rdflib.Graph().parse(data=nquads, format="nt")


def test_json_ld_is_compacted_with_the_published_context_by_default(article_server):
    url = article_server.url + "/resource/SovietInvasionOfPoland"
    turtle = rdflib.Graph().parse(data=requests.get(url + ".ttl", timeout=30).text,
                                  format="turtle")
    published = requests.get(article_server.url + "/context.jsonld", timeout=30)
    assert published.status_code == 200
    assert published.headers["Content-Type"].startswith(JSONLD)
    context = published.json()["@context"]
    assert context["@language"] == "en" and context["kg"] == iris.ONTOLOGY_NS
    assert context["startDate"] == {"@id": "kg:startDate"}  # its range is any literal
    assert context["minimum"] == {"@id": "kg:minimum", "@type": "xsd:decimal"}
    for accept in (JSONLD, f'{JSONLD}; profile="{COMPACTED}"',
                   f'{JSONLD}; profile="http://example.org/unknown-profile"'):
        answer = requests.get(url, headers={"Accept": accept}, timeout=30)
        assert answer.status_code == 200, accept
        assert f'profile="{COMPACTED}"' in answer.headers["Content-Type"]
        document = answer.json()
        assert document["@context"] == context
        invasion = next(n for n in document["@graph"] if n["@id"] == "kgr:SovietInvasionOfPoland")
        assert invasion["partOf"] == "kgr:InvasionOfPoland"
        assert invasion["startDate"] == {"@type": "xsd:date", "@value": "1939-09-17"}
        assert isomorphic(as_graph(document), turtle)
        # PyLD's own compaction with the published context reads back the same way.
        again = jsonld.compact(jsonld.expand(document), {"@context": context})
        assert isomorphic(as_graph(again), turtle)


def test_json_ld_is_expanded_when_the_profile_asks(article_server):
    url = article_server.url + "/resource/Lwow"
    turtle = rdflib.Graph().parse(data=requests.get(url + ".ttl", timeout=30).text,
                                  format="turtle")
    answer = requests.get(url, timeout=30, headers={
        "Accept": f'{JSONLD}; profile="http://example.org/other {EXPANDED}"'})
    assert answer.status_code == 200
    assert f'profile="{EXPANDED}"' in answer.headers["Content-Type"]
    document = answer.json()
    assert isinstance(document, list) and "@context" not in answer.text
    assert jsonld.expand(document) == jsonld.expand(jsonld.expand(document))
    assert isomorphic(as_graph(document), turtle)


def test_every_answer_links_to_each_format_of_the_resource(article_server):
    for path in ("/resource/Lwow", "/resource/Lwow.nt", "/ontology"):
        for accept in ("text/html", "text/turtle"):
            answer = requests.get(article_server.url + path, headers={"Accept": accept},
                                  timeout=30)
            links = {}
            for value in requests.utils.parse_header_links(answer.headers["Link"]):
                assert value["rel"] == "alternate"
                links[value["type"]] = value["url"]
            stem = path.removesuffix(".nt")
            assert links == {"text/html": stem, **{
                media_type: f"{stem}.{suffix}" for media_type, (suffix, _) in RDF_TYPES.items()}}
            for media_type, url in links.items():  # each link answers in its type
                linked = requests.get(article_server.url + url, timeout=30,
                                      headers={"Accept": "text/html"})
                assert linked.headers["Content-Type"].startswith(media_type), url


def test_turtle_with_a_charset_parameter_is_served(article_server):
    answer = requests.get(article_server.url + "/resource/Lwow", timeout=30,
                          headers={"Accept": "text/turtle;charset=utf-8"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/turtle")


def test_unknown_resource_is_a_helpful_404(article_server):
    page = requests.get(article_server.url + "/resource/Atlantis",
                        headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'href="/query#query=' in page.text and "Atlantis" in page.text
    assert 'href="/"' in page.text
    for path in ("/resource/Atlantis", "/resource/no%20such", "/resource/..%2Fetc"):
        answer = requests.get(article_server.url + path, headers={"Accept": "text/turtle"},
                              timeout=30)
        assert answer.status_code == 404, path
        assert answer.headers["Content-Type"].startswith("text/plain")


def facts_by_property(page: str) -> dict[str, list[str]]:
    """Each fact block of a resource page: its property, and the quotes it shows."""
    facts = defaultdict(list)
    for match in re.finditer(r'<dd class="fact" data-property="([^"]+)">(.*?)</dd>', page, re.S):
        # A quote's text, without the lang span that marks other-language words in it.
        facts[match.group(1)].extend(html.unescape(re.sub(r"<[^>]+>", "", q)) for q in
                                     re.findall(r'<mark class="exact">(.*?)</mark>',
                                                match.group(2), re.S))
    return facts


SAMPLE_QUERY = f"""
SELECT DISTINCT ?resource WHERE {{
  ?statement rdf:subject ?resource ; prov:wasDerivedFrom ?evidence .
  FILTER(STRSTARTS(STR(?resource), "{iris.RESOURCE}"))
}} ORDER BY ?resource
"""

QUOTES_QUERY = """
SELECT ?property ?exact WHERE {
  ?statement rdf:subject <%s> ; rdf:predicate ?property ;
             prov:wasDerivedFrom/oa:hasSelector/oa:exact ?exact .
}
"""


def test_resource_pages_show_each_fact_with_its_exact_quote(article_server):
    resources = [row["resource"] for row in article_server.select(SAMPLE_QUERY)]
    sample = resources[::12] + [iris.resource("SovietInvasionOfPoland")]
    assert len(sample) >= 10
    for resource in sample:
        page = requests.get(local(article_server.url, resource),
                            headers={"Accept": BROWSER_ACCEPT}, timeout=30).text
        shown = facts_by_property(page)
        for row in article_server.select(QUOTES_QUERY % resource):
            assert row["exact"] in shown[row["property"]], (resource, row)


def test_resource_page_shows_claims_names_links_and_data(article_server):
    page = requests.get(article_server.url + "/resource/SovietInvasionOfPoland",
                        headers={"Accept": BROWSER_ACCEPT}, timeout=30).text
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "3,000–7,000 dead or missing (side: Second Polish Republic), according to [1][4]" \
        in " ".join(text.split())
    qids = [row["qid"] for row in article_server.select(
        "SELECT ?qid WHERE { kgr:SovietInvasionOfPoland skos:exactMatch|skos:closeMatch ?qid }")]
    for qid in qids:
        assert f'href="{qid}"' in page and qid.rsplit("/", 1)[1] in text
    for row in article_server.select(
            'SELECT ?label WHERE { kgr:SovietInvasionOfPoland rdfs:label ?label '
            'FILTER(LANG(?label) != "en") }'):
        assert row["label"] in text
    assert 'lang="id"' in page  # the Indonesian title is marked as Indonesian
    for suffix in ("ttl", "nt", "jsonld", "rdf"):
        assert f'href="/resource/SovietInvasionOfPoland.{suffix}"' in page
    assert 'href="/query#query=' in page
    # Linked from: the invasion's sub-events point at it with kg:partOf.
    assert 'href="/resource/CaptureOfPolishPrisoners"' in page


def test_ontology_and_its_terms_dereference(article_server):
    turtle = requests.get(article_server.url + "/ontology", headers={"Accept": "text/turtle"},
                          timeout=30)
    assert turtle.status_code == 200 and "Accept" in turtle.headers["Vary"]
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    invasion = rdflib.URIRef(iris.term("Invasion"))
    assert (invasion, rdflib.RDFS.label, rdflib.Literal("invasion", lang="en")) in graph
    page = requests.get(article_server.url + "/ontology", headers={"Accept": BROWSER_ACCEPT},
                        timeout=30).text
    # A term IRI (…/ontology#location) lands on its section: label, comment, domain, range.
    section = re.search(r'<div class="term" id="location".*?</dl>', page, re.S).group(0)
    assert "location" in section and "Where an event took place." in section
    assert 'href="/ontology#Event"' in section and 'href="/ontology#Place"' in section
    assert requests.get(article_server.url + "/ontology.nt", timeout=30).headers[
        "Content-Type"] == "application/n-triples; charset=utf-8"


def test_graph_iris_lead_to_the_graph_store(article_server):
    answer = requests.get(article_server.url + "/graph/data", allow_redirects=False, timeout=30)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(
        "/store?graph=https%3A%2F%2Fw3id.org%2Fkresy1939%2Fgraph%2Fdata")
    assert requests.get(article_server.url + "/graph/nothing", timeout=30).status_code == 404


def test_reconcile_preview_links_to_a_working_resource_page(article_server):
    preview = requests.get(article_server.url + "/reconcile/preview", params={"id": "Lwow"},
                           timeout=30).text
    link = re.search(r'href="(http://[^"]+/resource/Lwow)"', preview).group(1)
    page = requests.get(link, headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert page.status_code == 200 and "<h1>Lwów</h1>" in page.text


def test_statement_and_evidence_pages_show_their_quote(article_server):
    [row] = article_server.select(
        "SELECT ?statement ?evidence ?exact WHERE { ?statement rdf:subject "
        "kgr:RedArmyReconquest1944 ; rdf:predicate kg:target ; prov:wasDerivedFrom ?evidence . "
        "?evidence oa:hasSelector/oa:exact ?exact }")
    for node in (row["statement"], row["evidence"]):
        page = requests.get(local(article_server.url, node), headers={"Accept": BROWSER_ACCEPT},
                            timeout=30).text
        quotes = [html.unescape(q) for q in re.findall(r'<mark class="exact">(.*?)</mark>', page)]
        assert quotes == [row["exact"]], node


def test_the_linked_query_yields_the_description(article_server):
    page = requests.get(article_server.url + "/resource/Lwow", headers={"Accept": BROWSER_ACCEPT},
                        timeout=30).text
    link = re.search(r'href="/query#query=([^"]+)">The SPARQL query', page).group(1)
    query = unquote(html.unescape(link))
    answer = article_server.query(query, accept="application/n-triples")
    described = requests.get(article_server.url + "/resource/Lwow.nt", timeout=30)
    assert set(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)) == \
        set(ox.parse(described.content, format=ox.RdfFormat.N_TRIPLES))


def test_a_description_is_what_the_data_asserts_not_what_was_entailed(article_server):
    assert article_server.ask("ASK { kgr:Lwow a kg:Place }")  # entailed: a city is a place
    described = requests.get(article_server.url + "/resource/Lwow.nt", timeout=30).text
    assert f"<{iris.resource('Lwow')}> <{RDF}type> <{iris.term('City')}>" in described
    assert iris.term("Place") not in described
