"""A remote SPARQL 1.1 engine behind ``GraphStore`` (``KG_STORE_BACKEND=sparql``).

The web layer's promises hold whatever the engine, because everything but evaluation
stays here: a query is parsed by pyoxigraph first (syntax errors, 406 and the result kind
exactly as in local mode), the predeclared prefixes and the endpoint's base IRI are
written into the text, the union default graph is the project's graphs named explicitly
(an engine's own default graph may hold its system graphs), and the engine's answer is
parsed by pyoxigraph and serialised by the same code as local answers, so the row cap is
exact, ``X-Result-Truncated`` is set, and every format is byte for byte ours.

Queries go to the query URLs in turn (read replicas); one that cannot be reached, breaks
off its answer or says it is overloaded is skipped for ``SKIP_SECONDS`` and the query is
sent to the next, so a replica going away costs no client an error. SERVICE and LOAD are
refused outright (``KG_ALLOWED_SERVICES`` must stay empty, so the web layer's guard
refuses them all): the engine, not us, would make those requests, beyond our limits.
Engine pragmas (Virtuoso's ``DEFINE``, which can switch on its Sponger) are not SPARQL, so
pyoxigraph's parse refuses them before anything is sent.

What is weaker than local mode (README, "Remote engine"): a query that times out is
abandoned by us but keeps running in the engine until the engine's own timeout stops it,
and a load replaces one graph at a time (atomic per graph, not as a whole).
"""

import hashlib
import itertools
import json
import threading
import time
from datetime import UTC, datetime

import pyoxigraph as ox
import requests

from kg import formats
from kg.iris import DATA_GRAPH, ENTAILED_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kg.store import (
    Answer,
    NotFound,
    QueryRequest,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
    StoreVersion,
)
from kg.store.cache import AnswerCache, cacheable
from kg.store.evaluator import _declares_dataset, _solutions, _triples, evaluate

#: Seconds a query URL that failed is passed over (it is still tried when all others fail).
SKIP_SECONDS = 5.0
#: Seconds to wait for a TCP connection to the engine before trying the next URL.
CONNECT_TIMEOUT = 2.0
#: Seconds the store version read from the engine is trusted before it is read again.
VERSION_SECONDS = 1.0
#: Graphs Virtuoso keeps for itself, left out of the graph list and so of the union.
VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#",
    "http://localhost:8890/sparql",
    "http://localhost:8890/DAV/",
    "urn:activitystreams-owl:map",
    "urn:core:services:sparql",
)
_RESULTS_ACCEPT = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
#: What a broken or vanished engine looks like while we send to it or read its answer.
_BROKEN = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, OSError)
#: Status codes of an engine that is overloaded or behind a proxy that lost it.
_UNAVAILABLE = (502, 503, 504)
_EMPTY = ox.Store()
XSD_BOOLEAN = PREFIXES["xsd"] + "boolean"


class EngineError(StoreError):
    """The engine refused or failed a query that pyoxigraph accepted."""

    status = 502


class ReadOnly(StoreError):
    status = 403


class _Skip(Exception):
    """This URL cannot answer now; try the next one."""


def prologue(base_iri: str | None) -> str:
    """BASE and the predeclared PREFIXes, written out for an engine that does not know them.

    A query's own declarations come after these and win (SPARQL allows redeclaring)."""
    base = f"BASE <{base_iri}>\n" if base_iri else ""
    return base + "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


class Endpoints:
    """Query URLs used round-robin; one that failed goes to the back for SKIP_SECONDS."""

    def __init__(self, urls: tuple[str, ...]):
        self.urls = list(urls)
        self._turn = itertools.count()
        self._skipped_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def order(self) -> list[str]:
        with self._lock:
            start = next(self._turn) % len(self.urls)
            turn = self.urls[start:] + self.urls[:start]
            now = time.monotonic()
            up = [u for u in turn if self._skipped_until.get(u, 0) <= now]
            return up + [u for u in turn if u not in up]

    def failed(self, url: str) -> None:
        with self._lock:
            self._skipped_until[url] = time.monotonic() + SKIP_SECONDS


class RemoteStore:
    def __init__(self, settings):
        if not settings.sparql_query_urls:
            raise ValueError("KG_STORE_BACKEND=sparql needs KG_SPARQL_QUERY_URLS")
        if settings.allowed_services:
            # With none allowed, the web layer's guard refuses every SERVICE and LOAD.
            raise ValueError("KG_ALLOWED_SERVICES is not available with KG_STORE_BACKEND="
                             "sparql: the engine, not kg, would call those endpoints")
        self.settings = settings
        self.virtuoso = settings.sparql_dialect == "virtuoso"
        self.endpoints = Endpoints(settings.sparql_query_urls)
        self._local = threading.local()
        self._answers = AnswerCache()
        self._lock = threading.Lock()
        self._version: tuple[float, str] | None = None
        self._seen: tuple[str, float] | None = None
        self._graphs: tuple[str, list[str]] | None = None
        self._writes = 0  # our own writes, so the version moves at once after them

    def start(self) -> None:
        """Nothing to start: connections are opened on first use, per thread."""

    # --- HTTP -----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            s = self.settings
            if s.sparql_user:
                session.auth = (requests.auth.HTTPDigestAuth if self.virtuoso
                                else requests.auth.HTTPBasicAuth)(s.sparql_user,
                                                                  s.sparql_password)
        return session

    def _read(self, text: str, dataset: list[tuple[str, str]], accept: str, consume):
        """POST a query (form-encoded: every engine takes it) to the query URLs in turn and
        give the streamed answer to ``consume``; failover on a broken or busy engine."""
        failures = []
        for url in self.endpoints.order():
            try:
                with self._session().post(
                        url, data=[("query", text), *dataset], headers={"Accept": accept},
                        timeout=(CONNECT_TIMEOUT, self.settings.query_timeout),
                        stream=True) as response:
                    if response.status_code in _UNAVAILABLE:
                        raise _Skip(f"{url} answered {response.status_code}")
                    _raise_for_engine(response)
                    response.raw.decode_content = True
                    return consume(response)
            except requests.exceptions.ReadTimeout:
                raise QueryTimeout(
                    f"query stopped after the {self.settings.query_timeout:g} s time limit "
                    "(the engine may still be running it until its own timeout)") from None
            except requests.exceptions.ConnectTimeout as error:
                failures.append(f"{url}: {error.__class__.__name__}")
            except (_Skip, *_BROKEN) as error:
                failures.append(f"{url}: {error}")
            except SyntaxError as error:  # an answer cut off mid-way parses as broken
                failures.append(f"{url}: unreadable answer ({error})")
            self.endpoints.failed(url)
        raise StoreUnavailable("no SPARQL engine answered: " + "; ".join(failures)[:300])

    def _write(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            response = self._session().request(
                method, url, timeout=(CONNECT_TIMEOUT, self.settings.query_timeout), **kwargs)
        except requests.exceptions.ReadTimeout:
            raise QueryTimeout("the engine did not confirm the write in time; it may still "
                               "apply it") from None
        except requests.RequestException as error:
            raise StoreUnavailable(f"the SPARQL engine cannot be reached: {error}") from None
        if response.status_code in _UNAVAILABLE:
            raise StoreUnavailable(f"the SPARQL engine answered {response.status_code}")
        _raise_for_engine(response)
        with self._lock:
            self._writes += 1
            self._graphs = None
        return response

    # --- GraphStore -----------------------------------------------------------------------

    def query(self, request: QueryRequest) -> Answer:
        if not cacheable(request):
            return self._evaluate(request)
        version = self._tag()
        answer = self._answers.get(version, request)
        if answer is None:
            answer = self._evaluate(request)
            self._answers.put(version, request, answer)
        return answer

    def _evaluate(self, request: QueryRequest) -> Answer:
        # Evaluated on an empty store: pyoxigraph's syntax errors, 406 and result kind.
        target = formats.BY_NAME[evaluate(_EMPTY, request).format]
        text = prologue(request.base_iri) + request.query
        dataset = [("default-graph-uri", g) for g in request.default_graphs]
        dataset += [("named-graph-uri", g) for g in request.named_graphs]
        if not dataset and not _declares_dataset(request.query):
            graphs = self.graphs()
            dataset = [(name, g) for g in graphs
                       for name in ("default-graph-uri", "named-graph-uri")]
        if target.kind == formats.GRAPH:
            return self._read(text, dataset, _GRAPH_ACCEPT, lambda r: _triples(
                self._canonical_triples(_parse_graph(r)), target, request.max_rows))

        def results(response):
            parsed = self._parse_results(response)
            if isinstance(parsed, ox.QueryBoolean):
                return Answer(parsed.serialize(format=target.oxigraph), target.name)
            return _solutions(parsed, target, request.max_rows)

        return self._read(text, dataset, _RESULTS_ACCEPT, results)

    def _parse_results(self, response: requests.Response):
        """The engine's JSON results, read by pyoxigraph. Virtuoso names blank nodes
        ``nodeID://b10001``, which is no blank node label: those become ``b10001``; it writes
        booleans ``"1"``/``"0"``, which become ``true``/``false``; and it answers ASK with one
        row of ``__ASK_RETVAL`` 1 or 0, which becomes the boolean."""
        if not self.virtuoso:
            return ox.parse_query_results(response.raw, ox.QueryResultsFormat.JSON)
        try:
            answer = json.load(response.raw)
        except ValueError as error:  # cut off mid-way: as pyoxigraph would say it
            raise SyntaxError(f"unreadable JSON: {error}") from None
        if answer.get("head", {}).get("vars") == ["__ASK_RETVAL"]:  # how it answers ASK
            rows = answer["results"]["bindings"]
            answer = {"head": {}, "boolean": bool(rows) and rows[0]["__ASK_RETVAL"]["value"]
                      not in ("0", "false")}
        for row in answer.get("results", {}).get("bindings", []):
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = term["value"].removeprefix("nodeID://")
                elif term.get("datatype") == XSD_BOOLEAN and term["value"] in ("1", "0"):
                    term["value"] = "true" if term["value"] == "1" else "false"
        return ox.parse_query_results(json.dumps(answer).encode(), ox.QueryResultsFormat.JSON)

    def _canonical_triples(self, triples):
        """Virtuoso's ``"1"``/``"0"`` booleans in their canonical form, as the local store
        writes them (``true``/``false``, XML Schema 1.1 Part 2, 3.3.2.2)."""
        if not self.virtuoso:
            return triples
        return (ox.Triple(t.subject, t.predicate, _canonical_boolean(t.object)) for t in triples)

    def _select(self, query: str) -> list[dict]:
        """Rows of an internal query (no dataset, no cap)."""
        def rows(response):
            parsed = self._parse_results(response)
            return [{v.value: row[v] for v in parsed.variables if row[v] is not None}
                    for row in parsed]

        return self._read(prologue(None) + query, [], _RESULTS_ACCEPT, rows)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        if not self.settings.sparql_update_url:
            raise ReadOnly("the SPARQL engine takes no updates (no KG_SPARQL_UPDATE_URL)")
        try:
            ox.Store().update(sparql, prefixes=PREFIXES, base_iri=base_iri)
        except SyntaxError as error:
            raise QuerySyntaxError(f"update syntax: {error}") from None
        self._write("POST", self.settings.sparql_update_url,
                    data={"update": prologue(base_iri) + sparql})

    def replace_graph(self, graph: str | None, triples: list[ox.Triple]) -> None:
        self._graph_write("PUT", graph, triples)

    def add_to_graph(self, graph: str | None, triples: list[ox.Triple]) -> None:
        self._graph_write("POST", graph, triples)

    def drop_graph(self, graph: str | None) -> None:
        self._graph_write("DELETE", graph, None)

    def _graph_write(self, method: str, graph: str | None, triples) -> None:
        """Graph Store Protocol at KG_SPARQL_STORE_URL, or the same change as SPARQL Update."""
        from kg.store.writes import graph_update

        url = self.settings.sparql_store_url
        if not url:
            return self.update(graph_update(method, graph, triples))
        name = "graph-uri" if self.virtuoso else "graph"
        params = {name: graph} if graph else {"default": ""}
        body = None if triples is None else ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        self._write(method, url, params=params, data=body,
                    headers={"Content-Type": "application/n-triples"} if body is not None
                    else {})

    def load(self) -> dict:
        """Build the graphs in memory (entailment included) and replace each on the engine."""
        from kg.store.load import source_files, sources_hash
        from kg.store.rules import entail

        digest = sources_hash(self.settings)
        memory = ox.Store()
        for graph, path in source_files(self.settings):
            memory.bulk_load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]),
                             to_graph=ox.NamedNode(graph))
        entail(memory, digest)
        for graph in (ONTOLOGY_GRAPH, DATA_GRAPH, ENTAILED_GRAPH):
            self.replace_graph(graph, [q.triple for q in memory.quads_for_pattern(
                None, None, None, ox.NamedNode(graph))])
        with self._lock:
            self._writes = 0  # the new activity names the version, as front ends will see it
        return {"sources_hash": digest,
                "sources": [str(path) for _, path in source_files(self.settings)],
                "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "quads": len(memory), "version": self._tag(fresh=True)}

    def dump(self, format_name: str, graph: str | None = None, default: bool = False) -> bytes:
        target = formats.BY_NAME[format_name]
        if graph is not None:
            if graph not in self.graphs():
                raise NotFound(f"no graph <{graph}> in the store")
            sources = [graph]
        elif default:
            # The default graph a query sees: the union of every graph, each triple once,
            # in the order the local store writes it.
            triples = sorted({t for g in [None, *self.graphs()] for t in self._graph_triples(g)},
                             key=str)
            items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples] \
                if target.supports_datasets else triples
            return ox.serialize(items, format=target.oxigraph, prefixes=PREFIXES)
        else:
            sources = [None, *self.graphs()]
        quads = [ox.Quad(t.subject, t.predicate, t.object,
                         ox.NamedNode(g) if g and graph is None else ox.DefaultGraph())
                 for g in sources for t in self._graph_triples(g)]
        if not target.supports_datasets:
            return ox.serialize([q.triple for q in quads], format=target.oxigraph,
                                prefixes=PREFIXES)
        return ox.serialize(quads, format=target.oxigraph, prefixes=PREFIXES)

    def _graph_triples(self, graph: str | None) -> list[ox.Triple]:
        if graph is None and self.virtuoso:
            return []  # Virtuoso's default graph is all of its graphs, not a graph of ours
        pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        return self._read(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}", [],
                          _GRAPH_ACCEPT, lambda r: list(self._canonical_triples(_parse_graph(r))))

    def graphs(self) -> list[str]:
        version = self._tag()
        cached = self._graphs
        if cached is not None and cached[0] == version:
            return cached[1]
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        names = sorted(r["g"].value for r in rows if "g" in r
                       and not (self.virtuoso and r["g"].value in VIRTUOSO_SYSTEM_GRAPHS))
        self._graphs = (version, names)
        return names

    def version(self) -> StoreVersion | None:
        """The served data's version (None while nothing is loaded); ``published`` is when
        this front end first saw it (the engine records no publication time)."""
        tag = self._tag()
        if tag.startswith("empty-"):
            return None
        seen = self._seen
        if seen is None or seen[0] != tag:
            seen = self._seen = (tag, time.time())
        return StoreVersion(tag, seen[1])

    def _tag(self, fresh: bool = False) -> str:
        """The loaded version, as ``kg load`` recorded it: a hash of the entailment activity
        and when it ended (the same on every replica of one snapshot), and the number of our
        own writes since; safe as a file name (the dumps are kept under it).

        Read from the engine at most once a second; writes made to the engine by others
        (not through kg) are not seen here until the next ``kg load``."""
        now = time.monotonic()
        cached = self._version
        if fresh or cached is None or now - cached[0] > VERSION_SECONDS:
            rows = self._select(f"""SELECT ?activity ?ended WHERE {{ GRAPH <{ENTAILED_GRAPH}> {{
                <{ENTAILED_GRAPH}> prov:wasGeneratedBy ?activity .
                OPTIONAL {{ ?activity prov:endedAtTime ?ended }} }} }}""")
            loaded = "|".join(sorted(
                r["activity"].value + "@" + (r["ended"].value if "ended" in r else "")
                for r in rows))
            name = hashlib.sha256(loaded.encode()).hexdigest()[:16] if loaded else "empty"
            cached = self._version = (now, name)
        return f"{cached[1]}-{self._writes}"

    def health(self) -> dict:
        try:
            version = self._tag(fresh=True)
        except StoreError as error:
            return {"status": "unavailable", "reason": str(error)}
        if version.startswith("empty-"):
            return {"status": "unavailable", "reason": "store not loaded", "backend": "sparql"}
        return {"status": "ok", "version": version, "backend": "sparql",
                "query_urls": len(self.endpoints.urls)}


def _parse_graph(response: requests.Response):
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
    return (q.triple for q in ox.parse(response.raw, rdf_format))


def _canonical_boolean(term):
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_BOOLEAN \
            and term.value in ("1", "0"):
        return ox.Literal("true" if term.value == "1" else "false", datatype=term.datatype)
    return term


def _raise_for_engine(response: requests.Response) -> None:
    if response.status_code < 400:
        return
    detail = " ".join(response.text.strip().split())[:300]
    if response.status_code in (401, 403):
        raise EngineError(f"the SPARQL engine refused our credentials: {detail}")
    if response.status_code == 404:
        raise EngineError(f"no SPARQL endpoint at {response.url}")
    raise EngineError(f"the SPARQL engine answered {response.status_code}: {detail}")
