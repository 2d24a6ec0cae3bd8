"""What every response gets: plain-text errors, CORS, gzip and one access-log line.

Errors never carry a stack trace: the client gets a short message and the status a
SPARQL client understands; the trace of an unexpected error goes to the log only.
The log line names method, path, status, duration and a hash of the query (views
set ``flask.g.query_text``), so a slow or failing query can be found without
logging its text.
"""

import gzip
import hashlib
import logging
import time
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, g, request
from werkzeug.exceptions import BadRequest, HTTPException

from kg.iris import GRAPH_STORE_ROUTE, UPDATE_ROUTE
from kg.store import StoreError

log = logging.getLogger("kg.web")

#: Smaller bodies are not worth compressing.
GZIP_MIN_BYTES = 512


def plain_error(status: int, message: str, headers: dict | None = None) -> Response:
    response = Response(message.rstrip() + "\n", status=status,
                        content_type="text/plain; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def install(app: Flask, settings) -> None:
    @app.before_request
    def start_clock():
        g.started = time.perf_counter()
        _require_utf8()

    @app.errorhandler(StoreError)
    def store_error(error: StoreError):
        return plain_error(error.status, str(error), error.headers)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = plain_error(error.code or 500, error.description or error.name)
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return plain_error(500, "internal error (see the server log)")

    @app.after_request
    def finish(response: Response) -> Response:
        if settings.cors_origin:
            response.headers["Access-Control-Allow-Origin"] = settings.cors_origin
            response.headers["Access-Control-Expose-Headers"] = \
                "X-Result-Truncated, Retry-After, WWW-Authenticate"
            if request.method == "OPTIONS":
                _preflight(response, settings)
        _compress(response)
        query = g.get("query_text")
        duration = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info("%s %s %s %.1fms query=%s", request.method, request.path, response.status_code,
                 duration, hashlib.sha256(query.encode()).hexdigest()[:12] if query else "-")
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
