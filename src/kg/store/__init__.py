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
"""

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


class NotFound(StoreError):
    status = 404


class StoreUnavailable(StoreError):
    status = 503


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

    def graphs(self) -> list[str]:
        """The named graphs, for the service description and the Graph Store Protocol."""
        ...

    def version(self) -> str:
        """A cheap name of the loaded data, which changes with every load or write."""
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
