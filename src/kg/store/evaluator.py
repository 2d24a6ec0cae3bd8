"""Queries evaluated in child processes that can be killed, so a timeout really stops a query.

pyoxigraph evaluates a query inside one Rust call that Python cannot interrupt. Each
HTTP worker therefore keeps a few evaluator processes, each with its own read-only
handle on the store; a query is sent down a pipe, and if no answer comes back in
time the evaluator is killed (freeing its CPU and memory at once) and a fresh one
is forked in the background from a fork server that has this module loaded. The cost
on a normal query is one pipe round trip. The same happens when the client that waits
for the query hangs up: the evaluator watches nothing but its pipe, so the HTTP worker
watches the client's socket too.
"""

import ctypes
import multiprocessing
import multiprocessing.forkserver
import os
import re
import resource
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import wait
from pathlib import Path

import pyoxigraph as ox

from kg import formats
from kg.iris import PREFIXES
from kg.store import (
    CALLER,
    Answer,
    Busy,
    Caller,
    ClientGone,
    NotAcceptable,
    QueryRequest,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
    UpdateRefused,
)
from kg.store.layout import Layout

_spawn = multiprocessing.get_context("spawn")
# Evaluators are forked from a fork server that imported pyoxigraph and this module once,
# so a killed evaluator is replaced in milliseconds, not the ~0.3 s a fresh interpreter
# takes. The fork server opens no store (RocksDB's threads do not survive fork()).
_forkserver = multiprocessing.get_context("forkserver")
_forkserver.set_forkserver_preload(["kg.store.evaluator"])


class _RowsFull(Exception):
    """Raised from inside pyoxigraph's serializer once enough rows were written."""


class _RowLimitedTsv:
    """A file-like sink for TSV results that stops the serializer after ``max_rows`` rows."""

    def __init__(self, max_rows: int):
        self.max_lines = max_rows + 1  # the header line
        self.lines = 0
        self.buffer = bytearray()

    def write(self, data) -> int:
        self.buffer += data
        self.lines += data.count(b"\n")
        if self.lines > self.max_lines:
            raise _RowsFull
        return len(data)

    def flush(self) -> None:
        pass

    @property
    def full(self) -> bool:
        return self.lines > self.max_lines

    def head(self) -> bytes:
        """The header and at most ``max_rows`` complete rows."""
        if not self.full:
            return bytes(self.buffer)
        lines = bytes(self.buffer).split(b"\n")[: self.max_lines]
        return b"".join(line + b"\n" for line in lines)


def _solutions(result: ox.QuerySolutions, target: formats.Format, max_rows: int) -> Answer:
    # Rows pass through TSV (lossless: RDF terms in Turtle syntax, one row a line) so the
    # cap is exact whatever the target format; pyoxigraph then writes the target format.
    sink = _RowLimitedTsv(max_rows)
    truncated = False
    try:
        result.serialize(sink, ox.QueryResultsFormat.TSV)
    except _RowsFull:
        truncated = True
    tsv = sink.head()
    if target.oxigraph == ox.QueryResultsFormat.TSV:
        return Answer(tsv, target.name, truncated)
    rows = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    return Answer(rows.serialize(format=target.oxigraph), target.name, truncated)


def _triples(result: ox.QueryTriples, target: formats.Format, max_rows: int) -> Answer:
    triples = []
    truncated = False
    for triple in result:
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(triple)
    if target.supports_datasets:
        triples = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    body = ox.serialize(triples, format=target.oxigraph, prefixes=PREFIXES)
    return Answer(body, target.name, truncated)


#: ``from`` as a word of its own, not the tail of a name such as ``prov:wasDerivedFrom`` nor
#: the local part of ``ex:from``: without it no FROM clause can be there, and the rdflib parse
#: (a few milliseconds, more than most queries take) is skipped.
_FROM_WORD = re.compile(r"(?<![\w:])from\b", re.IGNORECASE)


def _declares_dataset(query: str) -> bool:
    if not _FROM_WORD.search(query):
        return False
    # Imported here: rdflib takes most of a second to import, and few queries need it.
    from kg.store.syntax import declares_dataset

    return declares_dataset(query)


def evaluate(store: ox.Store, request: QueryRequest) -> Answer:
    """Run one query on an open store and serialise its answer."""
    options = {"prefixes": PREFIXES, "base_iri": request.base_iri}
    if request.default_graphs or request.named_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    elif not _declares_dataset(request.query):
        options["use_default_graph_as_union"] = True
    try:
        result = store.query(request.query, **options)
    except SyntaxError as error:
        raise QuerySyntaxError(f"query syntax: {error}") from None
    kind = formats.GRAPH if isinstance(result, ox.QueryTriples) else formats.RESULTS
    name = request.graph_format if kind == formats.GRAPH else request.results_format
    if name is None:
        raise NotAcceptable(
            "none of the accepted media types can carry "
            + ("a graph (CONSTRUCT, DESCRIBE)" if kind == formats.GRAPH else "query results")
        )
    target = formats.BY_NAME[name]
    if isinstance(result, ox.QueryBoolean):
        return Answer(result.serialize(format=target.oxigraph), target.name)
    if isinstance(result, ox.QuerySolutions):
        return _solutions(result, target, request.max_rows)
    return _triples(result, target, request.max_rows)


class ReadOnlyHandle:
    """A read-only store that follows ``current`` when a load or update publishes a new version."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.version = None
        self.store = None

    def get(self) -> ox.Store:
        version = self.layout.current_version()
        if version is None:
            raise StoreUnavailable("the store is not loaded yet (run `kg load`)")
        if version != self.version:
            self.store = None
            self.store = ox.Store.read_only(str(version / "db"))
            self.version = version
        return self.store


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int | None = None) -> None:
    """Be killed by the kernel when our parent exits, however it exits: the HTTP worker, or
    the worker's fork server (``parent_pid`` None), which exits when the worker does.

    A busy evaluator never reads its pipe, so it would not notice a dead parent and
    would run its query to the end as an orphan.
    """
    parent_pid = parent_pid or os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pipe's EOF is the only signal
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


def _limit_memory(memory_mb: int) -> None:
    """Cap this process's address space: a query that sorts or groups a huge intermediate
    result, or an update that inserts one, fails in its own process instead of exhausting
    the machine's memory before the timeout."""
    if memory_mb:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, hard))


def _release_fork_server() -> None:
    """Close this process's copy of the fork server's "alive" pipe.

    multiprocessing hands it to every forked process so that they could fork in turn, and
    the fork server lives as long as anyone holds it. An evaluator forks nothing; without
    its copy, the fork server exits when the HTTP worker does, and that exit is the
    parent death that kills a busy evaluator (``_die_with_parent``).
    """
    server = multiprocessing.forkserver._forkserver
    if server._forkserver_alive_fd is not None:
        os.close(server._forkserver_alive_fd)
        server._forkserver_alive_fd = None


def _serve(connection, store_root: str, memory_mb: int) -> None:
    """Evaluator process: answer queries from the pipe until it closes."""
    _release_fork_server()
    _die_with_parent()
    _limit_memory(memory_mb)
    handle = ReadOnlyHandle(Layout(Path(store_root)))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply = ("ok", evaluate(handle.get(), request))
        except StoreError as error:
            reply = ("error", error)
        except (OSError, ValueError, RuntimeError) as error:
            reply = ("error", StoreError(f"query evaluation failed: {error}"))
        connection.send(reply)


class _Evaluator:
    def __init__(self, store_root: Path, memory_mb: int):
        self.connection, child = _forkserver.Pipe()
        self.process = _forkserver.Process(
            target=_serve, args=(child, str(store_root), memory_mb), daemon=True
        )
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


class EvaluatorPool:
    """At most ``slots`` queries at once, each stopped after ``timeout`` seconds or when its
    process exceeds ``memory_mb``."""

    def __init__(self, store_root: Path, slots: int, timeout: float, queue_wait: float,
                 memory_mb: int = 0):
        self.store_root = store_root
        self.slots = slots
        self.memory_mb = memory_mb
        self.timeout = timeout
        self.queue_wait = queue_wait
        self._slots = threading.BoundedSemaphore(slots)
        # Exactly ``slots`` evaluators exist, idle, busy or starting: a query holding a slot
        # therefore always finds one idle or about to be, and a killed one is replaced once.
        self._idle: list[_Evaluator] = []
        self._ready = threading.Condition()
        # Evaluators are started from this one long-lived thread: the kernel's "parent died"
        # signal fires when the creating thread ends, so it must live as long as the worker.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-evaluators")
        for _ in range(slots):
            self._replace_in_background()
        self._spawner.submit(lambda: None).result()  # all started before the first query

    def _take(self) -> _Evaluator:
        with self._ready:
            if not self._ready.wait_for(lambda: self._idle, timeout=self.timeout):
                raise StoreUnavailable("no query process could be started; see the server log")
            return self._idle.pop()

    def _give_back(self, evaluator: _Evaluator) -> None:
        with self._ready:
            self._idle.append(evaluator)
            self._ready.notify()

    def _replace_in_background(self) -> None:
        self._spawner.submit(lambda: self._give_back(_Evaluator(self.store_root,
                                                                self.memory_mb)))

    def run(self, request: QueryRequest) -> Answer:
        """Evaluate in a free evaluator; stop it at the time limit, or as soon as the waiting
        client (``CALLER``) hangs up, so abandoned work frees its slot at once."""
        caller = CALLER.get() or Caller()
        caller.admit()
        spent = 0.0
        try:
            if not self._slots.acquire(timeout=self.queue_wait):
                raise Busy("too many queries are running; retry shortly", retry_after=1)
            started = time.monotonic()
            try:
                return self._evaluate(request, caller.connection)
            finally:
                spent = time.monotonic() - started
                self._slots.release()
        finally:
            caller.release(spent)

    def _evaluate(self, request: QueryRequest, client: socket.socket | None) -> Answer:
        if client is not None and wait([client], 0) and _hung_up(client):
            # Gone while waiting for the slot: nothing to stop yet.
            raise ClientGone("the client closed the connection before its query started")
        evaluator = self._take()
        try:
            evaluator.connection.send(request)
            self._wait(evaluator, client)
            status, payload = evaluator.connection.recv()
        except (EOFError, OSError):
            self._discard(evaluator)
            raise QueryTimeout(
                "query stopped: it needed more memory than its limit"
                + (f" ({self.memory_mb} MB)" if self.memory_mb else "")
                + " or its process failed"
            ) from None
        except StoreError:
            self._discard(evaluator)
            raise
        self._give_back(evaluator)
        if status == "error":
            raise payload
        return payload

    def _wait(self, evaluator: _Evaluator, client: socket.socket | None) -> None:
        """Until the evaluator answers; QueryTimeout at the limit, ClientGone on a hang-up."""
        deadline = time.monotonic() + self.timeout
        watched = [evaluator.connection] + ([client] if client is not None else [])
        while True:
            remaining = deadline - time.monotonic()
            ready = wait(watched, remaining) if remaining > 0 else []
            if evaluator.connection in ready:
                return
            if not ready:
                raise QueryTimeout(f"query stopped after the {self.timeout:g} s time limit")
            if _hung_up(client):
                raise ClientGone("the client closed the connection; its query was stopped")
            # Readable with data: the client sent its next request already (pipelining);
            # a hang-up can no longer be told from it, so stop watching.
            watched = [evaluator.connection]

    def _discard(self, evaluator: _Evaluator) -> None:
        evaluator.kill()
        self._replace_in_background()

    def close(self) -> None:
        with self._ready:
            for evaluator in self._idle:
                evaluator.kill()
            self._idle.clear()


#: pyoxigraph's messages for an operation on a graph that does not exist, or already does.
_GRAPH_STATE = re.compile(r"^The graph \S+ (does not exist|already exists)$")


def _hung_up(client: socket.socket) -> bool:
    """Whether a readable client socket was closed by its peer (nothing left to read)."""
    try:
        return client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:  # reset by the peer
        return True


def _apply(connection, db: str, sparql: str, base_iri: str | None, memory_mb: int,
           parent_pid: int) -> None:
    """Update process: apply one update to a build's store, answer its quad count."""
    _die_with_parent(parent_pid)
    _limit_memory(memory_mb)
    store = ox.Store(db)
    try:
        store.update(sparql, prefixes=PREFIXES, base_iri=base_iri)
        store.flush()
        reply = ("ok", len(store))
    except SyntaxError as error:
        reply = ("error", QuerySyntaxError(f"update syntax: {error}"))
    except RuntimeError as error:
        # pyoxigraph raises RuntimeError both for a graph that does (not) exist and for
        # storage failures; only its graph messages are the client's doing.
        refused = _GRAPH_STATE.search(str(error))
        reply = ("error", (UpdateRefused if refused else StoreError)(
            f"update {'refused' if refused else 'failed'}: {error}"
            + ("; nothing was changed (add SILENT to ignore this)" if refused else "")))
    except (OSError, ValueError) as error:
        reply = ("error", StoreError(f"update failed: {error}"))
    connection.send(reply)


def apply_update(db: Path, sparql: str, base_iri: str | None, timeout: float,
                 memory_mb: int = 0) -> int:
    """Apply ``sparql`` to the store at ``db`` in a process of its own, stopped after
    ``timeout`` seconds or beyond ``memory_mb``, as a query is; returns the quad count.

    The store at ``db`` is a build that is published only when this returns, so a stopped
    update leaves the served store exactly as it was.
    """
    connection, child = _spawn.Pipe()
    process = _spawn.Process(target=_apply, daemon=True,
                             args=(child, str(db), sparql, base_iri, memory_mb, os.getpid()))
    process.start()
    child.close()
    try:
        if not connection.poll(timeout):
            raise QueryTimeout(f"update stopped after the {timeout:g} s time limit; "
                               "nothing was changed")
        status, payload = connection.recv()
    except (EOFError, OSError):
        raise QueryTimeout("update stopped: it needed more memory than its limit"
                           + (f" ({memory_mb} MB)" if memory_mb else "")
                           + " or its process failed; nothing was changed") from None
    finally:
        process.kill()
        process.join()
        connection.close()
    if status == "error":
        raise payload
    return payload
