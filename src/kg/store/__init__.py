"""The graph store behind one small interface, so a remote engine can stand in for it.

The web layer only sees ``GraphStore``: ``query`` answers a SPARQL query already
serialised in a negotiated format, ``update`` applies SPARQL Update, ``load``
rebuilds from the sources, ``dump`` serialises a graph or the dataset and
``health`` says whether the store can answer, ``version`` names what is loaded (cache
keys), and the Graph Store Protocol's whole-graph writes are methods of their own.
``LocalStore`` (``kg.store.local``) is an on-disk pyoxigraph store, queries evaluated in
killable processes; ``RemoteStore`` (``kg.store.remote``) is a client of a remote SPARQL
1.1 engine (``oxigraph serve``, Virtuoso, replicas of either), chosen by
``KG_STORE_BACKEND``.

The web layer tells the store who waits for a query through ``CALLER`` (a context
variable set once per HTTP request): a store stops evaluating when that client has
gone, and asks it for admission (its fair share) before evaluating.
"""

import socket
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class QueryRequest:
    """One SPARQL query with its protocol dataset and the formats the client accepts.

    ``results_format`` / ``graph_format`` are names from ``kg.formats`` (None: the client
    accepts none of that kind, so a query of that kind answers 406). Without
    ``default_graphs`` and ``named_graphs`` the default graph is the union of all graphs.
    """

    query: str
    results_format: str | None = "json"
    graph_format: str | None = "ttl"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10_000
    #: Relative IRIs in the query resolve against this (the endpoint's URL when served).
    base_iri: str | None = None


@dataclass(frozen=True)
class Answer:
    """A serialised answer; ``truncated`` says the row cap cut it."""

    body: bytes
    format: str
    truncated: bool = False


class StoreError(Exception):
    """An error a client should see, with its HTTP status; the message is short and plain."""

    status = 500
    headers: dict[str, str] = {}


class QuerySyntaxError(StoreError):
    status = 400


class UpdateRefused(StoreError):
    """A well-formed update the dataset refuses (SPARQL 1.1 Update section 3.2): DROP, CLEAR,
    MOVE of a graph that does not exist, CREATE of one that does. The client's error."""

    status = 400


class NotAcceptable(StoreError):
    status = 406


class QueryTimeout(StoreError):
    status = 503


class Busy(StoreError):
    """Every evaluation slot is taken; the client should retry shortly."""

    status = 503

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class TooManyQueries(StoreError):
    """This client used its share (concurrent queries or query time); others are served."""

    status = 429

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class ClientGone(StoreError):
    """The client hung up while its query ran; the query was stopped (nobody reads this)."""

    status = 499


class NotFound(StoreError):
    status = 404


class StoreUnavailable(StoreError):
    status = 503


@dataclass(frozen=True)
class StoreVersion:
    """The state of the served data: ``tag`` changes with every load, update or Graph Store
    write; ``published`` is when that state was published (seconds since the epoch)."""

    tag: str
    published: float


class Caller:
    """Who waits for the queries of the current request; this default waits for ever and
    may run anything. The web layer sets a subclass in ``CALLER`` for each request."""

    #: The client's connection, watched while a query runs: readable with nothing to read
    #: means the client hung up. None when unknown (no real socket).
    connection: socket.socket | None = None

    def admit(self) -> None:
        """Before a query is evaluated: raise ``TooManyQueries`` beyond the client's share."""

    def release(self, seconds: float) -> None:
        """After an admitted query: it is over, having evaluated for ``seconds``."""


CALLER: ContextVar[Caller | None] = ContextVar("kg_caller", default=None)


class GraphStore(Protocol):
    """What the web layer needs from a store."""

    def query(self, request: QueryRequest) -> Answer: ...

    def update(self, sparql: str, base_iri: str | None = None) -> None: ...

    def load(self) -> dict: ...

    def dump(self, format_name: str, graph: str | None = None, default: bool = False) -> bytes:
        """Serialise one named graph, the default graph (the union of all graphs, as a query
        without a dataset sees it), or the whole dataset."""
        ...

    def health(self) -> dict: ...

    def version(self) -> StoreVersion | None:
        """The served data's version (None while nothing is loaded); cheap, called per request."""
        ...

    def graphs(self) -> list[str]:
        """The named graphs, for the service description and the Graph Store Protocol."""
        ...

    def replace_graph(self, graph: str | None, triples: list) -> None:
        """Graph Store PUT: ``graph`` (None: the default graph) becomes ``triples``."""
        ...

    def add_to_graph(self, graph: str | None, triples: list) -> None:
        """Graph Store POST: ``triples`` are added to ``graph``."""
        ...

    def drop_graph(self, graph: str | None) -> None:
        """Graph Store DELETE: ``graph`` is removed (the default graph emptied)."""
        ...

    def start(self) -> None:
        """Start what the store needs before the first request (in the serving process)."""
        ...


def open_store(settings) -> GraphStore:
    """The store the settings describe: ``KG_STORE_BACKEND`` local (default) or sparql."""
    if settings.store_backend == "sparql":
        from kg.store.remote import RemoteStore

        return RemoteStore(settings)
    if settings.store_backend != "local":
        raise ValueError(f"KG_STORE_BACKEND must be local or sparql, not "
                         f"{settings.store_backend!r}")
    from kg.store.local import LocalStore

    return LocalStore(settings)
