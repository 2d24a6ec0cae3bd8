"""The embedded store: an on-disk pyoxigraph store, read-only while serving.

Queries go to an ``EvaluatorPool`` (killable processes, one read-only handle each), unless
the same query was answered on the current version already (``kg.store.cache``);
updates and Graph Store writes copy the current version, apply the change with
the only read-write handle, and publish the copy the way ``kg load`` does, so readers
never share a directory with a writer.
"""

import threading

import pyoxigraph as ox

from kg import formats
from kg.iris import PREFIXES
from kg.store import Answer, NotFound, QueryRequest, StoreError, StoreVersion
from kg.store.cache import AnswerCache, cacheable
from kg.store.evaluator import EvaluatorPool, ReadOnlyHandle, apply_update
from kg.store.layout import Layout
from kg.store.writes import graph_update


class LocalStore:
    def __init__(self, settings):
        self.settings = settings
        self.layout = Layout(settings.store)
        self._pool = None
        self._pool_lock = threading.Lock()
        self._reader = ReadOnlyHandle(self.layout)
        self._reader_lock = threading.Lock()
        self._answers = AnswerCache()

    def _evaluators(self) -> EvaluatorPool:
        # Started on first use, i.e. inside the HTTP worker process, never in a parent
        # that forks later.
        with self._pool_lock:
            if self._pool is None:
                s = self.settings
                self._pool = EvaluatorPool(s.store, s.query_slots, s.query_timeout, s.queue_wait,
                                           s.query_memory)
            return self._pool

    def start(self) -> None:
        """Start the evaluator processes now rather than on the first query."""
        self._evaluators()

    def query(self, request: QueryRequest) -> Answer:
        if not cacheable(request):
            return self._evaluators().run(request)
        version = self.layout.current_version()
        answer = self._answers.get(version, request)
        if answer is None:
            answer = self._evaluators().run(request)
            self._answers.put(version, request, answer)
        return answer

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        s = self.settings
        with self.layout.write_lock():
            build = self.layout.copy_current()
            meta = self.layout.meta() or {"sources_hash": None}
            try:
                quads = apply_update(build / "db", sparql, base_iri, s.query_timeout,
                                     s.query_memory)
            except StoreError:
                self.layout.discard(build)
                raise
            self.layout.publish(build, {**meta, "quads": quads, "updated": True})

    def replace_graph(self, graph: str | None, triples: list[ox.Triple]) -> None:
        self.update(graph_update("PUT", graph, triples))

    def add_to_graph(self, graph: str | None, triples: list[ox.Triple]) -> None:
        self.update(graph_update("POST", graph, triples))

    def drop_graph(self, graph: str | None) -> None:
        self.update(graph_update("DELETE", graph, None))

    def load(self) -> dict:
        from kg.store.load import build

        return build(self.settings)

    def _read(self) -> ox.Store:
        with self._reader_lock:
            return self._reader.get()

    def dump(self, format_name: str, graph: str | None = None, default: bool = False) -> bytes:
        target = formats.BY_NAME[format_name]
        store = self._read()
        if graph is not None:
            source = ox.NamedNode(graph)
            if not store.contains_named_graph(source):
                raise NotFound(f"no graph <{graph}> in the store")
            quads = store.quads_for_pattern(None, None, None, source)
        elif default:
            # The default graph a query sees: the union of every graph, each triple once.
            quads = {q.triple for q in store}
        else:
            return store.dump(format=target.oxigraph, prefixes=PREFIXES) \
                if target.supports_datasets else \
                ox.serialize([q.triple for q in store], format=target.oxigraph, prefixes=PREFIXES)
        triples = sorted((ox.Triple(q.subject, q.predicate, q.object) for q in quads), key=str)
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples] \
            if target.supports_datasets else triples
        return ox.serialize(items, format=target.oxigraph, prefixes=PREFIXES)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._read().named_graphs())

    def version(self) -> StoreVersion | None:
        version = self.layout.current_version()
        if version is None:
            return None
        try:  # meta.json is written when the version is published
            published = (version / "meta.json").stat().st_mtime
        except FileNotFoundError:
            return None
        return StoreVersion(version.name, published)

    def health(self) -> dict:
        meta = self.layout.meta()
        if meta is None:
            return {"status": "unavailable", "reason": "store not loaded"}
        version = self.layout.current_version()
        return {"status": "ok", "version": version.name, **meta}
