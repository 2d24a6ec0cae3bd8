"""Every IRI dereferences: ``/resource/X``, ``/ontology`` and ``/graph/X`` on this server.

``kg.iris.local_route`` maps the persistent IRIs (``https://w3id.org/kresy1939/resource/X``)
to these routes. A browser gets an HTML page; an RDF client gets the resource's
description (``kg.web.descriptions``) in the format its ``Accept`` header prefers, with
``Vary: Accept``; ``/resource/X.ttl`` (``.nt``, ``.jsonld``, ``.rdf``) names a format in
the URL, for sharing. Nothing acceptable is 406; an unknown resource is 404, with a page
that helps a reader find what they were after. Each representation carries an ETag and
Last-Modified made from the store's version (``kg.web.caching``), and a client
revalidating a current copy gets 304 before the description is even queried.
"""

import functools
import json
from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template, request
from werkzeug.exceptions import NotFound

from kg import formats, iris, jsonld
from kg.web import caching, descriptions, ontology_page, resource_page, search_page, store
from kg.web.http import plain_error
from kg.web.page_sparql import query_link

blueprint = Blueprint("resources", __name__)

#: The formats a description is offered in, Turtle first (the default for RDF clients);
#: TriG and N-Quads would only add a graph name to one graph.
RDF_FORMATS = tuple(formats.BY_NAME[name] for name in ("ttl", "nt", "jsonld", "rdf"))
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: The HTML page, chosen like a format (it is no RDF serialisation, so not in the table).
HTML = "html"


@blueprint.app_context_processor
def routes() -> dict:
    """The shared layout (``base.html``) links to the site's routes, spelled in kg.iris."""
    return {"routes": iris}


def negotiate(accept: str | None) -> formats.Format | str | None:
    """HTML or the preferred RDF format; HTML wins ties (``*/*``), None means 406."""
    if not accept or not accept.strip():
        return HTML
    accepted = formats.accepted(accept)
    html_quality = max(accepted.quality(t) for t in HTML_TYPES)
    rdf = formats.negotiate(accept, RDF_FORMATS)
    rdf_quality = max((accepted.quality(t) for t in (rdf.media_type, *rdf.aliases)),
                      default=0) if rdf else 0
    if html_quality > 0 and html_quality >= rdf_quality:
        return HTML
    return rdf


def _split(name: str) -> tuple[str, formats.Format | None]:
    """``Lwow.ttl`` -> (``Lwow``, Turtle); a name without a suffix negotiates."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        return name, None
    chosen = formats.BY_SUFFIX.get(suffix)
    if chosen not in RDF_FORMATS:
        raise NotFound(f"no format .{suffix}: use one of "
                       + ", ".join("." + f.suffix for f in RDF_FORMATS))
    return stem, chosen


def _rdf(triples: list, chosen: formats.Format, first: str, truncated: bool) -> Response:
    """The description in ``chosen``; JSON-LD compacted, or expanded when the client's
    ``profile`` asks (the answer's Content-Type names the profile it got)."""
    content_type = chosen.content_type
    if chosen.name == "jsonld":
        form = formats.jsonld_form(request.headers.get("Accept"))
        body = jsonld.expanded(triples) if form == formats.JSONLD_EXPANDED \
            else jsonld.compacted(triples, json_ld_context())
        content_type += f'; profile="{form}"'
    else:
        body = descriptions.serialize(triples, chosen.name, first)
    response = Response(body, content_type=content_type)
    if truncated:
        response.headers["X-Result-Truncated"] = "true"
    return response


def _revalidate(suffixed: formats.Format | None) -> None:
    """Validators for the representation about to be made, and 304 before making it when
    the client's copy is current (``kg.web.caching``)."""
    chosen = suffixed or negotiate(request.headers.get("Accept"))
    if chosen is not None:
        caching.check(HTML if chosen == HTML else chosen.name,
                      vary=() if suffixed else ("Accept",))


def _answer(iri: str, suffixed: formats.Format | None, page, rdf) -> Response:
    """The negotiated (or suffix-named) answer, built by ``page()`` or ``rdf(format)``,
    with a ``Link`` to each other form of it (RFC 8288), so a client can find them all."""
    chosen = suffixed or negotiate(request.headers.get("Accept"))
    if chosen is None:
        response = plain_error(406, "this resource is offered as text/html and as "
                               + ", ".join(f.media_type for f in RDF_FORMATS))
    else:
        response = page() if chosen == HTML else rdf(chosen)
    if suffixed is None:
        response.vary.add("Accept")
    response.headers["Link"] = alternates(iri)
    return response


def alternates(iri: str) -> str:
    """``<…/Lwow.ttl>; rel="alternate"; type="text/turtle"``, … for the page and each format."""
    forms = [(iris.local_route(iri), HTML_TYPES[0])] + [
        (iris.data_route(iri, f.suffix), f.media_type) for f in RDF_FORMATS]
    return ", ".join(f'<{route}>; rel="alternate"; type="{media_type}"'
                     for route, media_type in forms)


def not_found_page(iri: str, name: str) -> Response:
    """A 404 that helps: the nearest names, a search for the name, the landing page."""
    response = Response(render_template("not_found.html", iri=iri, name=name,
                                        suggestions=search_page.suggestions(name),
                                        search=query_link(_search_query(name))),
                        status=404, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response


def _search_query(name: str) -> str:
    words = "".join(ch for ch in name if ch.isalnum() or ch == " ")[:60]
    return ("# Resources whose label contains the name you followed\n"
            "SELECT ?resource ?label WHERE {\n"
            "  ?resource rdfs:label ?label .\n"
            f'  FILTER(CONTAINS(LCASE(STR(?label)), LCASE("{words}")))\n'
            "}\nLIMIT 50\n")


@blueprint.get(iris.RESOURCE_ROUTE + "<name>")
def resource(name: str):
    local_name, suffixed = _split(name)
    iri = iris.resource(local_name)
    if not iris.LOCAL_NAME.match(local_name):
        return _missing(iri, local_name, suffixed)
    _revalidate(suffixed)
    triples, truncated = descriptions.describe(iri)
    if not triples:
        return _missing(iri, local_name, suffixed)

    def page() -> Response:
        view = resource_page.resource_page(iri, triples, truncated, RDF_FORMATS)
        return Response(render_template("resource.html", page=view),
                        content_type="text/html; charset=utf-8")

    def rdf(chosen: formats.Format) -> Response:
        return _rdf(triples, chosen, iri, truncated)

    return _answer(iri, suffixed, page, rdf)


def _missing(iri: str, name: str, suffixed: formats.Format | None) -> Response:
    same = search_page.same_resource(name) if iris.LOCAL_NAME.match(name) else None
    if same:  # a wrong-case URL (/resource/lwow): the resource's own
        return redirect(iris.href(same) + ("." + suffixed.suffix if suffixed else ""), code=301)
    if (suffixed or negotiate(request.headers.get("Accept"))) == HTML:
        return not_found_page(iri, name)
    raise NotFound(f"no resource <{iri}> in this graph")


@blueprint.get(iris.ONTOLOGY_ROUTE)
@blueprint.get(iris.ONTOLOGY_ROUTE + ".<suffix>")
def ontology(suffix: str | None = None):
    suffixed = _split("ontology." + suffix)[1] if suffix else None
    _revalidate(suffixed)
    triples, truncated = ontology_page.ontology()

    def page() -> Response:
        view = ontology_page.ontology_page(triples, RDF_FORMATS)
        return Response(render_template("ontology.html", page=view),
                        content_type="text/html; charset=utf-8")

    def rdf(chosen: formats.Format) -> Response:
        return _rdf(triples, chosen, iris.ONTOLOGY, truncated)

    return _answer(iris.ONTOLOGY, suffixed, page, rdf)


@blueprint.get(iris.GRAPH_ROUTE + "<name>")
def graph(name: str):
    """A named graph's IRI: see it through the Graph Store Protocol (``/store?graph=``)."""
    if not iris.LOCAL_NAME.match(name) or iris.GRAPH + name not in store().graphs():
        raise NotFound(f"no graph <{iris.GRAPH + name}> in the store")
    target = iris.GRAPH_STORE_ROUTE + "?graph=" + quote(iris.GRAPH + name, safe="")
    return redirect(target, code=303)


@functools.lru_cache(maxsize=4)
def _context_of(store_version: str) -> dict:
    return jsonld.context(ontology_page.ontology()[0])


def json_ld_context() -> dict:
    """The JSON-LD context of the ontology being served (one per store version)."""
    return _context_of(store().health().get("version", ""))


@blueprint.get(iris.CONTEXT_ROUTE)
def context():
    """The published JSON-LD context (``kg.iris.CONTEXT``) that compacted answers carry."""
    body = json.dumps(json_ld_context(), ensure_ascii=False, indent=1)
    return Response(body, content_type="application/ld+json; charset=utf-8")
