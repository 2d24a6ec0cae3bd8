"""The query page (/query) and the small JSON APIs its editor uses.

- ``/query``: the SPARQL editor page; ``/sparql`` shows it too when a browser asks
  for HTML without a query (see ``wants_page``).
- ``/api/labels?q=lwow``: entities by any label, accent- and case-insensitive, for
  completion; ``POST /api/labels`` with ``{"iris": [...]}``: the labels to show in a table.
- ``/api/vocabulary``: the classes and properties of the graph, for completion.
- ``/api/examples``: the example queries of the menu.

Every script and style the page loads is under ``static/query/`` (the editor bundle
is built from pinned npm packages by ``frontend/build.mjs``), so the page works with
no access to other hosts.
"""

import json
import threading
import time

from flask import Blueprint, current_app, jsonify, make_response, render_template, request

from kg import iris
from kg.store import QueryRequest
from kg.web import store
from kg.web.examples import load_examples
from kg.web.labels import LabelIndex

blueprint = Blueprint("query_page", __name__)

#: Seconds a label index or vocabulary is trusted before the store's version is checked
#: again; a new version (``kg load``, an update) rebuilds it, so typing costs no query.
CACHE_SECONDS = 5.0
#: Most entities one label search returns.
MAX_LABEL_RESULTS = 50
#: Most IRIs one label lookup accepts (a result table's worth).
MAX_LOOKUP_IRIS = 5000
#: The header the endpoint sets when it cut a result at its row limit.
TRUNCATION_HEADER = "X-Result-Truncated"

DEFAULT_QUERY = """\
# When did the Soviet invasion of Poland start and end?
# Ctrl+Enter runs the query; the Examples menu has more questions.
PREFIX kg: <https://w3id.org/kresy1939/ontology#>
PREFIX kgr: <https://w3id.org/kresy1939/resource/>

SELECT ?start ?end WHERE {
  kgr:SovietInvasionOfPoland kg:startDate ?start ;
                             kg:endDate ?end .
}
"""

LABELS_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?iri ?label ?type WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel }
  ?iri ?p ?label .
  FILTER(isIRI(?iri) && isLiteral(?label))
  OPTIONAL {
    ?iri a ?type .
    # the most specific types only: not Event when it is also an Invasion
    FILTER NOT EXISTS { ?iri a ?sub . ?sub rdfs:subClassOf+ ?type FILTER(?sub != ?type) }
  }
}
"""

VOCABULARY_QUERY = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?term ?kind (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment) WHERE {
  {
    { ?term a owl:Class } UNION { ?term a rdfs:Class } UNION { [] a ?term }
    BIND("class" AS ?kind)
  } UNION {
    { ?term a owl:ObjectProperty } UNION { ?term a owl:DatatypeProperty }
    UNION { ?term a rdf:Property } UNION { [] ?term [] }
    BIND("property" AS ?kind)
  }
  FILTER(isIRI(?term))
  OPTIONAL { ?term rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }
  OPTIONAL { ?term rdfs:comment ?c FILTER(LANGMATCHES(LANG(?c), "en") || LANG(?c) = "") }
}
GROUP BY ?term ?kind
ORDER BY ?term
"""


def _select(sparql: str) -> list[dict[str, dict]]:
    """Run one of the page's own SELECT queries on the app's store; the JSON bindings."""
    request_ = QueryRequest(sparql, results_format="json", graph_format=None,
                            max_rows=1_000_000)
    return json.loads(store().query(request_).body)["results"]["bindings"]


class _Cached:
    """A value built from the store once per store version, per app and process.

    Building the vocabulary takes about half a second; checking the version (the
    store's ``health()``, a small file read) takes far less, and is done at most every
    ``CACHE_SECONDS``.
    """

    def __init__(self, build):
        self._build = build
        self._lock = threading.Lock()
        self._value = None
        self._version = None
        self._checked = -CACHE_SECONDS

    def get(self):
        with self._lock:
            now = time.monotonic()
            if self._value is None or now - self._checked >= CACHE_SECONDS:
                self._checked = now
                # A store that reports no version is rebuilt at every check.
                version = store().health().get("version") or now
                if version != self._version:
                    self._value = self._build()
                    self._version = version
            return self._value


def _local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _build_label_index() -> LabelIndex:
    rows = [
        {
            "iri": b["iri"]["value"],
            "label": b["label"]["value"],
            "lang": b["label"].get("xml:lang", ""),
            "type": b["type"]["value"] if "type" in b else None,
        }
        for b in _select(LABELS_QUERY)
    ]
    return LabelIndex(rows, _local_name)


def _build_vocabulary() -> list[dict]:
    terms = {}
    for b in _select(VOCABULARY_QUERY):
        term = {
            "iri": b["term"]["value"],
            "kind": b["kind"]["value"],
            "label": b.get("label", {}).get("value"),
            "comment": b.get("comment", {}).get("value"),
        }
        # A term both declared and used keeps one entry; a class wins over "property".
        terms.setdefault(term["iri"], term)
    return list(terms.values())


def _cache(name: str, build) -> _Cached:
    caches = current_app.extensions.setdefault("kg.query_page", {})
    return caches.setdefault(name, _Cached(build))


def _labels() -> LabelIndex:
    return _cache("labels", _build_label_index).get()


def qname(iri: str) -> str:
    """``kgr:Lwow`` for a resource IRI; the full IRI in <> when no prefix fits."""
    for name, namespace in sorted(iris.PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace) and iri[len(namespace):].replace("-", "").isalnum():
            return f"{name}:{iri[len(namespace):]}"
    return f"<{iri}>"


def resource_href(iri: str) -> str:
    """The local route of a resource IRI (``/resource/Lwow``), so links stay on this server."""
    return iris.href(iri) if iri.startswith(iris.RESOURCE) else iri


@blueprint.get("/query")
def page():
    """The SPARQL editor page."""
    examples = load_examples()
    page_config = {
        "endpoint": "/sparql",
        "labelsUrl": "/api/labels",
        "vocabularyUrl": "/api/vocabulary",
        "examplesUrl": "/api/examples",
        "prefixes": iris.PREFIXES,
        "resourceBase": iris.RESOURCE,
        "resourceRoute": iris.RESOURCE_ROUTE,
        "truncationHeader": TRUNCATION_HEADER,
        "defaultQuery": DEFAULT_QUERY,
    }
    # "</" cannot close the <script> element the JSON sits in.
    config_json = json.dumps(page_config, ensure_ascii=False).replace("</", "<\\/")
    response = make_response(render_template(
        "query.html",
        config_json=config_json,
        endpoint="/sparql",
        example_count=len(examples),
    ))
    response.vary.add("Accept")  # /sparql answers the same URL with RDF to other clients
    return response


def wants_page() -> bool:
    """Whether a request to /sparql is a browser visiting it (HTML asked for by name, no query).

    ``*/*`` alone does not count: curl and SPARQL clients that send it want the
    service description.
    """
    if request.method != "GET" or "query" in request.args or "update" in request.args:
        return False
    return any(value in ("text/html", "application/xhtml+xml")
               for value, _quality in request.accept_mimetypes)


@blueprint.get("/api/labels")
def search_labels():
    """Entities whose labels match ``q`` (any language, accents and case ignored)."""
    text = request.args.get("q", "")
    try:
        limit = min(max(int(request.args.get("limit", 10)), 1), MAX_LABEL_RESULTS)
    except ValueError:
        return jsonify(error="limit must be a number"), 400
    results = []
    for entity, matched in _labels().search(text, limit):
        results.append({
            "iri": entity.iri,
            "qname": qname(entity.iri),
            "label": entity.label,
            "matched": matched,
            "type": ", ".join(sorted(qname(t) for t in entity.types)) or None,
            "href": resource_href(entity.iri),
        })
    return jsonify(query=text, results=results)


@blueprint.post("/api/labels")
def lookup_labels():
    """The label to show for each of the posted IRIs (those without one are left out)."""
    body = request.get_json(silent=True)
    wanted = body.get("iris") if isinstance(body, dict) else None
    if not isinstance(wanted, list) or not all(isinstance(i, str) for i in wanted):
        return jsonify(error='send JSON: {"iris": ["https://…", …]}'), 400
    if len(wanted) > MAX_LOOKUP_IRIS:
        return jsonify(error=f"at most {MAX_LOOKUP_IRIS} IRIs at a time"), 413
    return jsonify(labels=_labels().labels_of(wanted))


@blueprint.get("/api/vocabulary")
def vocabulary():
    """Classes and properties declared or used in the graph, for completion."""
    return jsonify(terms=_cache("vocabulary", _build_vocabulary).get())


@blueprint.get("/api/examples")
def examples():
    """The example queries, in menu order."""
    return jsonify(examples=[
        {"name": e.name, "title": e.title, "description": e.description, "needs": e.needs,
         "query": e.query}
        for e in load_examples()
    ])
