"""Federated ``SERVICE`` on an allowlist, with limits pyoxigraph cannot set itself.

pyoxigraph evaluates ``SERVICE <iri>`` with its own HTTP client: no timeout, no size
cap, and the User-Agent ``Oxigraph/<version>`` (``Store.query`` has no option for any
of them; checked on pyoxigraph 0.5.13). So the store never sees a remote IRI: before a
query runs, :meth:`Federation.prepare` reads every ``SERVICE`` clause, refuses the query
when one names an endpoint the operator did not allow (nothing is contacted), and
rewrites each allowed one to a gateway on 127.0.0.1 that this process runs. The
gateway forwards to the real endpoint through :mod:`kg.wikidata.remote`, so every call
has the configured deadline, size cap and the project's User-Agent, and records why a
call failed so the web layer can answer 502/504 instead of a bare error.

Only the gateway's own port and path are ever given to pyoxigraph, and the gateway
forwards only to the allowed list, so it cannot be used as an open proxy.
"""

import http.server
import re
import secrets
import threading
from dataclasses import dataclass

from kg.iris import PREFIXES
from kg.wikidata import remote


class ServiceRefused(ValueError):
    """A query names a SERVICE endpoint that is not allowed (HTTP 400, nothing contacted)."""


@dataclass(frozen=True)
class ServiceClause:
    """Where ``SERVICE [SILENT] <endpoint>`` names its endpoint in the query text."""

    start: int
    end: int
    endpoint: str | None  # None: a variable (``SERVICE ?e``), never allowed


# The lexical pieces of SPARQL that may contain the word SERVICE without being the
# keyword: strings (long and short), comments, and IRIs (which may contain '#').
_SKIP = re.compile(r'''
      "{3}(?:[^"\\]|\\.|"(?!""))*"{3}
    | '{3}(?:[^'\\]|\\.|'(?!''))*'{3}
    | "(?:[^"\\\n\r]|\\.)*"
    | '(?:[^'\\\n\r]|\\.)*'
    | \#[^\n\r]*
    | <[^<>"{}|^`\\\x00-\x20]*>
''', re.VERBOSE)
_PN = r"[A-Za-z\u00C0-\uFFFF](?:[\w.\-\u00B7\u00C0-\uFFFF]*[\w\-\u00B7\u00C0-\uFFFF])?"
_KEYWORD = re.compile(r"(?<![\w?$:\-])SERVICE(?![\w\-:])", re.IGNORECASE)
_AFTER = re.compile(
    r"(?:\s|\#[^\n\r]*)*(?:SILENT(?:\s|\#[^\n\r]*)*)?"
    rf"(?P<target><[^<>\"{{}}|^`\\\x00-\x20]*>|[?$]\w+|(?:{_PN})?:(?:[\w\-.%:\\]*[\w\-%:])?)",
    re.IGNORECASE)
_PREFIX = re.compile(rf"PREFIX\s+(?P<name>(?:{_PN})?):\s*<(?P<iri>[^>]*)>", re.IGNORECASE)


def _code_spans(query: str):
    """The parts of ``query`` that are neither strings, comments nor IRIs."""
    position = 0
    for match in _SKIP.finditer(query):
        yield position, query[position:match.start()]
        position = match.end()
    yield position, query[position:]


def service_clauses(query: str) -> list[ServiceClause]:
    """Every ``SERVICE`` clause of ``query``, with its endpoint resolved to a full IRI."""
    prefixes = dict(PREFIXES)
    prefixes.update((m["name"], m["iri"]) for m in _PREFIX.finditer(_without_literals(query)))
    clauses = []
    for offset, code in _code_spans(query):
        for keyword in _KEYWORD.finditer(code):
            after = _AFTER.match(query, offset + keyword.end())
            if after is None:
                continue  # not followed by an endpoint: pyoxigraph reports the syntax error
            target = after["target"]
            if target[0] in "?$":
                endpoint = None
            elif target[0] == "<":
                endpoint = target[1:-1]
            else:
                name, _, local = target.partition(":")
                if name not in prefixes:
                    continue  # an undeclared prefix is a syntax error pyoxigraph reports
                endpoint = prefixes[name] + local
            clauses.append(ServiceClause(after.start("target"), after.end("target"), endpoint))
    return clauses


def _without_literals(query: str) -> str:
    # PREFIX lines are found after blanking strings and comments (never IRIs: they hold the value).
    return _SKIP.sub(lambda m: m[0] if m[0].startswith("<") else " " * len(m[0]), query)


@dataclass(frozen=True)
class Prepared:
    """A query ready for the store; ``call`` identifies its gateway calls (None: no SERVICE).

    ``routes`` are the only SERVICE IRIs the prepared query may name: a caller that can
    parse SPARQL checks that, so a clause this module's reading missed never reaches
    pyoxigraph's own (unlimited) HTTP client.
    """

    query: str
    call: str | None = None
    routes: tuple[str, ...] = ()


class Federation:
    """The allowlist, and the gateway that keeps the limits for allowed endpoints."""

    def __init__(self, allowed: tuple[str, ...], limits: remote.Limits | None = None):
        self.allowed = tuple(allowed)
        self.limits = limits or remote.Limits()
        self._gateway: _Gateway | None = None
        self._lock = threading.Lock()

    def prepare(self, query: str) -> Prepared:
        """Refuse a query naming a SERVICE that is not allowed; route allowed ones via the gateway.

        Raises :class:`ServiceRefused` before anything is contacted.
        """
        clauses = service_clauses(query)
        if not clauses:
            return Prepared(query)
        for clause in clauses:
            if clause.endpoint is None:
                raise ServiceRefused("SERVICE with a variable endpoint is not allowed here")
            if clause.endpoint not in self.allowed:
                allowed = ", ".join(self.allowed) or "none"
                raise ServiceRefused(
                    f"SERVICE <{clause.endpoint}> is not allowed (allowed endpoints: {allowed})")
        call = secrets.token_hex(8)
        gateway = self._ensure_gateway()
        routes = tuple(f"{gateway.url}/{call}/{index}" for index in range(len(self.allowed)))
        parts, position = [], 0
        for clause in clauses:
            route = routes[self.allowed.index(clause.endpoint)]
            parts += [query[position:clause.start], f"<{route}>"]
            position = clause.end
        parts.append(query[position:])
        return Prepared("".join(parts), call, routes)

    def failure(self, call: str | None) -> remote.RemoteError | None:
        """Why a gateway call of this query failed, if one did (and forget it)."""
        if call is None or self._gateway is None:
            return None
        return self._gateway.failures.pop(call, None)

    def close(self) -> None:
        if self._gateway is not None:
            self._gateway.shutdown()
            self._gateway.server_close()
            self._gateway = None

    def _ensure_gateway(self) -> "_Gateway":
        # Started on first use, in the process that prepares queries: a gunicorn worker
        # forked after start-up gets its own, never a copy of a dead thread.
        with self._lock:
            if self._gateway is None or not self._gateway.alive():
                self._gateway = _Gateway(self.allowed, self.limits)
            return self._gateway


#: At most this many failure records are kept (queries whose error nobody asked about).
_MAX_FAILURES = 1000


class _Gateway(http.server.ThreadingHTTPServer):
    """A forwarding endpoint on 127.0.0.1 that only knows the allowed endpoints."""

    daemon_threads = True

    def __init__(self, allowed: tuple[str, ...], limits: remote.Limits):
        super().__init__(("127.0.0.1", 0), _Forward)
        self.allowed = allowed
        self.limits = limits
        self.failures: dict[str, remote.RemoteError] = {}
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, name="kg-service-gateway",
                                        daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def record(self, call: str, error: remote.RemoteError) -> None:
        if len(self.failures) >= _MAX_FAILURES:
            self.failures.pop(next(iter(self.failures)))
        self.failures[call] = error


class _Forward(http.server.BaseHTTPRequestHandler):
    server: _Gateway

    def do_POST(self):
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or not parts[1].isdigit() or int(parts[1]) >= len(self.server.allowed):
            self._reply(404, b"unknown service", "text/plain")
            return
        call, endpoint = parts[0], self.server.allowed[int(parts[1])]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            answer = remote.post(endpoint, body,
                                 self.headers.get("Content-Type", "application/sparql-query"),
                                 self.headers.get("Accept", "application/sparql-results+json"),
                                 self.server.limits)
        except remote.RemoteError as error:
            self._fail(call, error)
            return
        except Exception as error:  # a bug here must still answer pyoxigraph, not hang up
            self._fail(call, remote.RemoteError(f"the SERVICE gateway failed: {error!r}"))
            return
        self._reply(200, answer.body, answer.content_type)

    def _fail(self, call: str, error: remote.RemoteError) -> None:
        self.server.record(call, error)
        self._reply(error.status, str(error).encode("utf-8"), "text/plain; charset=utf-8")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the signature is http.server's
        pass  # the web layer logs the query and its outcome; one line per call is noise
