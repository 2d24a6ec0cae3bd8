"""Repeated identical queries answered before Flask routes them.

The answer cache (``kg.store.cache``) spares a repeated query its evaluation; what is
left of its cost is the framework: routing, parameter parsing, negotiation and the
response hooks, about 0.6 ms of CPU, several times what oxigraph needs for the whole of
a cheap query. This WSGI middleware keeps the finished answer (status, headers, body) of
each query the ``/sparql`` view marks as replayable (a successful answer of a cacheable
query), keyed by everything that answer depends on: the store version, the method, the
query string, the body and the request headers the app reads for it. The same request
again gets the same bytes at once, and the same access-log line.

Everything that could make the answer differ passes through to the app: conditional and
authorization headers (304s, tokens), chunked or large bodies, other routes. The checks
a query passes (SERVICE guard, length limit) depend on its text alone, so a replayed
request would pass them again; the fair share is not involved, as no query runs.
"""

import io
import time
from dataclasses import dataclass

from kg.iris import SPARQL_ROUTE
from kg.store.cache import AnswerCache
from kg.web import http

#: Bytes of kept answers per HTTP worker, and the largest request body worth keeping.
MAX_BYTES = 16 * 2**20
MAX_REQUEST_BYTES = 64 * 1024
#: Set in the WSGI environ by the view when its answer may be replayed.
REPLAYABLE = "kg.replayable"
#: What the answer depends on, besides method, query string and body.
_KEY_FIELDS = ("HTTP_HOST", "wsgi.url_scheme", "SCRIPT_NAME", "CONTENT_TYPE", "HTTP_ACCEPT",
               "HTTP_ACCEPT_ENCODING")
#: Requests with these are always answered by the app.
_PASS_THROUGH = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_AUTHORIZATION",
                 "HTTP_TRANSFER_ENCODING", "HTTP_EXPECT")


@dataclass(frozen=True)
class Kept:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    query_hash: str


def _size(key: tuple, kept: Kept) -> int:
    return len(kept.body) + len(key[2]) + len(key[1])


class Replay:
    def __init__(self, app, graph_store, max_bytes: int = MAX_BYTES):
        self.app = app
        self.store = graph_store
        self._kept = AnswerCache(max_bytes=max_bytes, max_answer_bytes=max_bytes // 16,
                                 size=_size)

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if (environ.get("PATH_INFO") != SPARQL_ROUTE or method not in ("GET", "POST")
                or any(name in environ for name in _PASS_THROUGH)):
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.app(environ, start_response)
        if length > MAX_REQUEST_BYTES:
            return self.app(environ, start_response)
        started = time.perf_counter()
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        key = (method, environ.get("QUERY_STRING", ""), body,
               *(environ.get(name) for name in _KEY_FIELDS))
        version = self.store.version()
        kept = self._kept.get(version, key)
        if kept is not None:
            start_response(kept.status, list(kept.headers))
            http.log_request(method, SPARQL_ROUTE, kept.status.split(" ", 1)[0], started,
                             kept.query_hash)
            return [kept.body]
        answered = {}

        def capture(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        if not environ.get(REPLAYABLE) or not answered.get("status", "").startswith("200"):
            return result
        try:
            data = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        self._kept.put(version, key, Kept(answered["status"], tuple(answered["headers"]), data,
                                          environ.get(http.QUERY_HASH, "-")))
        return [data]
