"""What every request and response gets: its caller, short errors, caching headers, CORS,
gzip and one access-log line.

Each request's caller (``kg.web.clients.Client``: its address's fair share, its
connection) is set in ``kg.store.CALLER`` for the store to use while evaluating.
Errors never carry a stack trace: the client gets a short message and the status a
SPARQL client understands; the trace of an unexpected error goes to the log only.
A browser asking for a page while the server is busy, or its share is used up (429,
502, 503, 504), gets the same message as a styled page saying when to retry.
The log line names method, path, status, duration and a hash of the query (views
set ``flask.g.query_text``), so a slow or failing query can be found without
logging its text.
"""

import gzip
import hashlib
import logging
import time
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, g, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

from kg.iris import GRAPH_STORE_ROUTE, UPDATE_ROUTE
from kg.store import CALLER, StoreError
from kg.web import caching
from kg.web.clients import Client, Ledger, client_address, networks

log = logging.getLogger("kg.web")

#: Where the WSGI environ carries the logged hash of the request's query.
QUERY_HASH = "kg.query_hash"
#: Smaller bodies are not worth compressing.
GZIP_MIN_BYTES = 512
#: Errors that pass with time: a browser gets a page saying what happened and when to retry.
TEMPORARY = {429: "Too many queries from you", 502: "Another endpoint failed",
             503: "The server is busy", 504: "Another endpoint took too long"}


def plain_error(status: int, message: str, headers: dict | None = None) -> Response:
    response = Response(message.rstrip() + "\n", status=status,
                        content_type="text/plain; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _wants_html() -> bool:
    """A browser navigating to a page (HTML preferred to plain text); curl and API
    clients (``*/*``, a data format) get plain text."""
    accepted = request.accept_mimetypes
    return accepted.best_match(("text/plain", "text/html")) == "text/html"


def error_answer(status: int, message: str, headers: dict | None = None) -> Response:
    """The error in the client's language: a styled page for a browser when the error is
    temporary, one line of plain text otherwise."""
    if status not in TEMPORARY or not _wants_html():
        return plain_error(status, message, headers)
    retry = (headers or {}).get("Retry-After")
    response = Response(render_template("error.html", status=status, title=TEMPORARY[status],
                                        message=message.rstrip(), retry_after=retry),
                        status=status, content_type="text/html; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.vary.add("Accept")
    return response


def install(app: Flask, settings, ledger: Ledger) -> None:
    trusted = networks(settings.trusted_proxies)

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()
        _require_utf8()
        environ = request.environ
        g.caller_token = CALLER.set(Client(client_address(environ, trusted), ledger,
                                           environ.get("gunicorn.socket")))

    @app.teardown_request
    def forget_caller(_error):
        token = g.pop("caller_token", None)
        if token is not None:
            CALLER.reset(token)

    @app.errorhandler(StoreError)
    def store_error(error: StoreError):
        return error_answer(error.status, str(error), error.headers)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None:  # abort(response): a finished answer such as a 304
            return error.get_response()
        headers = {name: value for name, value in error.get_headers()
                   if name.lower() != "content-type"}
        return error_answer(error.code, error.description or error.name, headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return plain_error(500, "internal error (see the server log)")

    @app.after_request
    def finish(response: Response) -> Response:
        caching.finish(response)
        if settings.cors_origin:
            response.headers["Access-Control-Allow-Origin"] = settings.cors_origin
            response.headers["Access-Control-Expose-Headers"] = \
                "X-Result-Truncated, Retry-After, WWW-Authenticate"
            if request.method == "OPTIONS":
                _preflight(response, settings)
        _compress(response)
        query = g.get("query_text")
        query_hash = hashlib.sha256(query.encode()).hexdigest()[:12] if query else "-"
        request.environ[QUERY_HASH] = query_hash
        log_request(request.method, request.path, response.status_code,
                    g.get("started", time.perf_counter()), query_hash)
        return response


#: Routes that write, with the methods a browser may send them (kg.web.sparql).
WRITE_METHODS = {UPDATE_ROUTE: "POST, OPTIONS",
                 GRAPH_STORE_ROUTE: "GET, HEAD, PUT, POST, DELETE, OPTIONS"}


def _preflight(response: Response, settings) -> None:
    """The CORS preflight answer: reads from any page; writes also let a page send the
    ``Authorization`` header, when a token is configured (the token is still checked)."""
    writes = bool(settings.update_token) and request.path in WRITE_METHODS
    response.headers["Access-Control-Allow-Methods"] = \
        WRITE_METHODS[request.path] if writes else "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = \
        "Accept, Content-Type" + (", Authorization" if writes else "")
    response.headers["Access-Control-Max-Age"] = "86400"


def _require_utf8() -> None:
    """400 for bytes that are not UTF-8 in the path, the query string or a form body.

    werkzeug decodes them leniently (an invalid ``%FF`` stays the three characters
    ``%FF``), which would run a query the client never wrote.
    """
    parts = {"the path": request.environ.get("PATH_INFO", "").encode("latin-1"),
             "the query string": unquote_to_bytes(request.query_string.replace(b"+", b" "))}
    if request.mimetype == "application/x-www-form-urlencoded":
        parts["the form body"] = unquote_to_bytes(request.get_data().replace(b"+", b" "))
    for where, raw in parts.items():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequest(f"{where} is not valid UTF-8 (byte {error.start}); "
                             "percent-encode text as UTF-8") from None


def log_request(method: str, path: str, status, started: float, query_hash: str) -> None:
    """The access-log line: method, path, status, duration, a hash of the query."""
    log.info("%s %s %s %.1fms query=%s", method, path, status,
             (time.perf_counter() - started) * 1000, query_hash)


def _compress(response: Response) -> None:
    if (response.direct_passthrough or response.status_code < 200
            or "Content-Encoding" in response.headers
            or request.accept_encodings.quality("gzip") <= 0):
        return
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if len(body) < GZIP_MIN_BYTES:
        return
    response.set_data(gzip.compress(body, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
