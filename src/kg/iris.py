"""Every IRI the project mints, and the prefixes users may leave undeclared.

This is the one module that knows how a resource, ontology term, named graph or
local route is spelled; the build, the store, the web layer and the dumps ask it.
"""

import re
from pathlib import Path

#: Persistent base (w3id.org redirects are the usual way to keep such IRIs resolvable).
BASE = "https://w3id.org/kresy1939/"
#: Resources described by the data (events, actors, places, statements, evidence).
RESOURCE = BASE + "resource/"
#: The ontology document, and the namespace of its terms (hash IRIs).
ONTOLOGY = BASE + "ontology"
ONTOLOGY_NS = ONTOLOGY + "#"
#: Named graphs in the store; a query sees their union by default.
GRAPH = BASE + "graph/"
ONTOLOGY_GRAPH = GRAPH + "ontology"
DATA_GRAPH = GRAPH + "data"
ENTAILED_GRAPH = GRAPH + "entailed"
#: The JSON-LD context of the resources and dumps (kg.jsonld): prefixes and typed terms.
CONTEXT = BASE + "context.jsonld"

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

#: Prefixes known to every SPARQL query, Turtle file and page, as on the Wikidata Query Service.
PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "http://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": WIKIDATA_ENTITY,
    "wdt": "http://www.wikidata.org/prop/direct/",
    "kg": ONTOLOGY_NS,
    "kgr": RESOURCE,
}

#: The repository root, where ontology/ and data/ live.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
DATA_DIR = PROJECT_ROOT / "data"
TRIPLES_FILE = DATA_DIR / "triples.ttl"


def resource(local_name: str) -> str:
    """The IRI of a resource of the data, e.g. ``resource("SovietInvasionOfPoland")``."""
    return RESOURCE + local_name


def term(local_name: str) -> str:
    """The IRI of an ontology term, e.g. ``term("Invasion")``."""
    return ONTOLOGY_NS + local_name


def wikidata(qid: str) -> str:
    """The Wikidata concept IRI (http, /entity/) that the Wikidata Query Service uses."""
    return WIKIDATA_ENTITY + qid


# Local routes: where this server answers the persistent IRIs above, and its own pages.
# Routes, templates, the query page and the reconciliation service all spell them here.

#: ``https://w3id.org/kresy1939/resource/Lwow`` is answered at ``/resource/Lwow``.
RESOURCE_ROUTE = "/resource/"
#: The ontology document and every ``…/ontology#Term`` (the fragment stays in the browser).
ONTOLOGY_ROUTE = "/ontology"
#: ``…/graph/data`` is answered at ``/graph/data`` (a redirect to the Graph Store Protocol).
GRAPH_ROUTE = "/graph/"
CONTEXT_ROUTE = "/context.jsonld"
HOME_ROUTE = "/"
ARTICLE_ROUTE = "/article"
QUERY_ROUTE = "/query"
SPARQL_ROUTE = "/sparql"
#: SPARQL 1.1 Update (only with an update token).
UPDATE_ROUTE = "/update"
#: The SPARQL 1.1 Graph Store Protocol (``?graph=IRI``).
GRAPH_STORE_ROUTE = "/store"
#: The downloads: the dump files, and the VoID description of the dataset (RFC 8615
#: well-known location, as the VoID note recommends).
DUMPS_ROUTE = "/dumps/"
VOID_ROUTE = "/.well-known/void"
#: The entities without a Wikidata link, for an editor to work through.
UNLINKED_ROUTE = "/unlinked"
#: Pages for readers who do not write SPARQL: search, each class's members, every figure.
SEARCH_ROUTE = "/search"
CLASS_ROUTE = "/class/"
FIGURES_ROUTE = "/figures"

#: What a resource's local name may hold: the build mints names from these characters
#: only, so anything else in a URL is no resource of ours (and never reaches a query).
LOCAL_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def local_route(iri: str) -> str | None:
    """The path on this server that answers ``iri``, or None for IRIs of other hosts.

    ``local_route(resource("Lwow")) == "/resource/Lwow"``,
    ``local_route(term("Invasion")) == "/ontology#Invasion"``.
    """
    if iri.startswith(RESOURCE):
        return RESOURCE_ROUTE + iri[len(RESOURCE):]
    if iri == ONTOLOGY or iri.startswith(ONTOLOGY_NS):
        return ONTOLOGY_ROUTE + iri[len(ONTOLOGY):]
    if iri.startswith(GRAPH):
        return GRAPH_ROUTE + iri[len(GRAPH):]
    if iri == CONTEXT:
        return CONTEXT_ROUTE
    return None


def href(iri: str) -> str:
    """Where a link to ``iri`` should point: this server for our IRIs, the IRI otherwise."""
    return local_route(iri) or iri


def data_route(iri: str, suffix: str) -> str:
    """The local URL of a resource's (or the ontology's) description in one format: ``….ttl``."""
    route = local_route(iri)
    if route is None:
        raise ValueError(f"not one of our IRIs: {iri}")
    return route.split("#", 1)[0] + "." + suffix
