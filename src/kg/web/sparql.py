"""SPARQL 1.1 Protocol: ``/sparql`` (query), ``/update`` and ``/store`` (Graph Store Protocol).

Queries are accepted as GET ``?query=``, POST form-encoded and POST
``application/sparql-query``; the answer's format comes from the ``format`` parameter
or ``Accept`` (q-values), both read from ``kg.formats``. GET without a query answers
the service description. ``/update`` takes ``using-graph-uri`` / ``using-named-graph-uri``
(``kg.web.update_dataset``). Writes (``/update``, ``/store`` PUT/POST/DELETE) need the
operator's bearer token; without a configured token the endpoint is read-only.
"""

import functools
import hmac

import pyoxigraph as ox
from flask import Blueprint, Response, g, request, url_for
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    RequestEntityTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)

from kg import formats
from kg.iris import UPDATE_ROUTE, VOID_ROUTE
from kg.store import NotAcceptable, QueryRequest
from kg.store.cache import cacheable
from kg.web import (
    caching,
    federated,
    guard,
    query_page,
    replay,
    service_description,
    settings,
    store,
    update_dataset,
)

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


def _media_type() -> str:
    return (request.mimetype or "").lower()


def _body_text() -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("the body must be UTF-8 (SPARQL 1.1 Protocol)")
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not valid UTF-8") from None


def _param(name: str) -> list[str]:
    """A protocol parameter from the URL and, for form posts, the body."""
    values = request.args.getlist(name)
    if request.method == "POST" and _media_type() == FORM:
        values += request.form.getlist(name)
    return values


def _operation(name: str, direct_type: str) -> str | None:
    """The one query (or update) string of this request, None when there is none."""
    if request.method == "POST":
        media_type = _media_type()
        if media_type == direct_type:
            texts = [_body_text()]
        elif media_type == FORM:
            texts = _param(name)
        elif not media_type:
            raise BadRequest(f"a POST needs Content-Type {FORM} or {direct_type}")
        else:
            raise UnsupportedMediaType(f"send {FORM} or {direct_type}, not {media_type}")
        if not texts and name == "query":
            raise BadRequest("no query parameter in the request")
    else:
        texts = request.args.getlist(name)
    if len(texts) > 1:
        raise BadRequest(f"exactly one {name} per request, got {len(texts)}")
    if not texts:
        return None
    text = texts[0]
    g.query_text = text
    limit = settings().max_query_length
    if len(text) > limit:
        raise RequestEntityTooLarge(f"the {name} is {len(text)} characters; the limit is {limit}")
    return text


def _chosen_formats() -> tuple[str | None, str | None]:
    """(results format, graph format) from ``format=`` or Accept; None where nothing fits."""
    requested = _param("format")
    return _formats_for(requested[0] if requested else None, request.headers.get("Accept"))


@functools.lru_cache(maxsize=256)
def _formats_for(requested: str | None, accept: str | None) -> tuple[str | None, str | None]:
    # Clients send the same few Accept headers again and again; parsing and matching one
    # costs more than the rest of a cached answer's path, so each is negotiated once.
    chosen = {}
    for kind in (formats.RESULTS, formats.GRAPH):
        fmt = formats.by_parameter(requested, kind) if requested else None
        if fmt is None:
            fmt = formats.negotiate(accept, formats.of_kind(kind))
        chosen[kind] = fmt.name if fmt else None
    if requested and not any(formats.by_parameter(requested, k) for k in chosen):
        raise BadRequest(f"unknown format {requested!r}; known: "
                         + ", ".join(f.name for f in formats.FORMATS))
    return chosen[formats.RESULTS], chosen[formats.GRAPH]


def _graph_uris(name: str) -> tuple[str, ...]:
    uris = tuple(_param(name))
    for uri in uris:
        _require_iri(uri)
    return uris


def _require_iri(value: str) -> None:
    try:
        ox.NamedNode(value)
    except ValueError:
        raise BadRequest(f"not an absolute IRI: {value!r}") from None


def _answer(body: bytes, fmt: formats.Format, truncated: bool = False) -> Response:
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    if truncated:
        response.headers["X-Result-Truncated"] = "true"
    return response


@blueprint.route("/sparql", methods=["GET", "POST", "OPTIONS"], strict_slashes=False)
def sparql():
    if request.method == "OPTIONS":
        return Response(status=204)
    if _param("update"):
        raise BadRequest("updates go to /update (POST), not /sparql")
    query = _operation("query", QUERY_TYPE)
    if query is None:
        if query_page.wants_page():  # a browser visiting /sparql gets the query page
            return query_page.page()
        return _service_description()
    prepared = federated.prepare(query)
    results_format, graph_format = _chosen_formats()
    query_request = QueryRequest(
        query=prepared.query,
        results_format=results_format,
        graph_format=graph_format,
        default_graphs=_graph_uris("default-graph-uri"),
        named_graphs=_graph_uris("named-graph-uri"),
        max_rows=settings().max_rows,
        base_iri=request.base_url,
    )
    if cacheable(query_request):
        caching.check(f"{results_format} {graph_format}")
    else:
        caching.never_cache()
    with federated.remote_failures(prepared):
        answer = store().query(query_request)
    if cacheable(query_request):
        request.environ[replay.REPLAYABLE] = True
    return _answer(answer.body, formats.BY_NAME[answer.format], answer.truncated)


def _service_description() -> Response:
    _, graph_format = _chosen_formats()
    if graph_format is None:
        raise NotAcceptable("the service description is RDF; accept one of "
                            + ", ".join(f.media_type for f in formats.of_kind(formats.GRAPH)))
    caching.check(graph_format)
    fmt = formats.BY_NAME[graph_format]
    triples = service_description.describe(
        request.base_url, store().graphs(),
        update_endpoint=url_for("sparql.update", _external=True) if settings().update_token
        else None,
        federated=bool(settings().allowed_services),
        void=request.host_url.rstrip("/") + VOID_ROUTE,
    )
    return _answer(service_description.serialize(triples, fmt), fmt)


def _require_token() -> None:
    """Writes need ``Authorization: Bearer <KG_UPDATE_TOKEN>``, compared in constant time."""
    token = settings().update_token
    if not token:
        raise Forbidden("this endpoint is read-only (no update token is configured)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                            token.encode()):
        raise Unauthorized("a valid 'Authorization: Bearer <token>' header is required",
                           www_authenticate=WWWAuthenticate("bearer", {"realm": "kg"}))


@blueprint.post(UPDATE_ROUTE)
def update():
    _require_token()
    text = _operation("update", UPDATE_TYPE)
    if text is None:
        raise BadRequest("no update parameter in the request")
    text = update_dataset.apply(text, _graph_uris("using-graph-uri"),
                                _graph_uris("using-named-graph-uri"))
    guard.check_update(text, settings().allowed_services)
    store().update(text, base_iri=request.base_url)
    return Response(status=204)


def _graph_target() -> tuple[str | None, bool]:
    """(graph IRI, is the default graph) named by ``?graph=`` or ``?default``."""
    graph = request.args.get("graph")
    default = "default" in request.args
    if (graph is None) == (not default):
        raise BadRequest("name exactly one graph: ?graph=<IRI> or ?default")
    if graph is not None:
        _require_iri(graph)
    return graph, default


@blueprint.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store():
    if request.method not in ("GET", "HEAD"):
        _require_token()  # before anything else, as on /update: 401 tells a client what it lacks
    graph, default = _graph_target()
    target = str(ox.NamedNode(graph)) if graph else "DEFAULT"
    if request.method in ("GET", "HEAD"):
        fmt = formats.negotiate(request.headers.get("Accept"), formats.of_kind(formats.GRAPH))
        if fmt is None:
            raise NotAcceptable("accept one of "
                                + ", ".join(f.media_type for f in formats.of_kind(formats.GRAPH)))
        return _answer(store().dump(fmt.name, graph=graph, default=default), fmt)
    existed = default or graph in store().graphs()
    if request.method == "DELETE":
        if not existed:
            return Response(f"no graph {target}\n", status=404, content_type="text/plain")
        store().drop_graph(graph)
        return Response(status=204)
    fmt = formats.by_media_type(request.mimetype or "", formats.GRAPH)
    if fmt is None:
        known = ", ".join(f.media_type for f in formats.of_kind(formats.GRAPH))
        raise UnsupportedMediaType(f"send one of {known}")
    try:
        triples = [q.triple if isinstance(q, ox.Quad) else q
                   for q in ox.parse(request.get_data(), fmt.oxigraph,
                                     base_iri=graph or request.base_url)]
    except SyntaxError as error:
        raise BadRequest(f"{fmt.name} syntax: {error}") from None
    if request.method == "PUT":
        store().replace_graph(graph, triples)
    else:
        store().add_to_graph(graph, triples)
    return Response(status=204 if existed else 201)
