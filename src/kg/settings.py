"""Every operator-tunable setting of the store and the server, in one table.

Each setting has a command-line flag and a ``KG_*`` environment variable; the flag
wins over the variable, the variable over the default. The README's settings table
is this table (``python -m kg.settings`` prints it as Markdown), so the two agree.
"""

import argparse
import ipaddress
import os
from dataclasses import dataclass, fields
from pathlib import Path

from kg.iris import ONTOLOGY_DIR, PROJECT_ROOT, TRIPLES_FILE


def _default_workers() -> int:
    # Queries run in evaluator processes, so the HTTP workers mostly wait on pipes:
    # one per core is enough, two at least so that one slow client never blocks /healthz.
    return max(2, os.cpu_count() or 1)


def _names(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.replace(",", " ").split() if part)


def addresses(value: str) -> tuple[str, ...]:
    """IP addresses or CIDR networks; a bad one fails when the settings are read."""
    names = _names(value)
    for name in names:
        ipaddress.ip_network(name, strict=False)
    return names


@dataclass(frozen=True)
class Option:
    """One row of the settings table."""

    name: str
    env: str
    parse: object
    default: object
    help: str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


OPTIONS = (
    Option("store", "KG_STORE", Path, PROJECT_ROOT / "var" / "store",
           "directory of the on-disk store (versions and the `current` link)"),
    Option("ontology_dir", "KG_ONTOLOGY_DIR", Path, ONTOLOGY_DIR,
           "ontology files (*.ttl) loaded into the ontology graph"),
    Option("data_file", "KG_DATA_FILE", Path, TRIPLES_FILE,
           "data file loaded into the data graph"),
    Option("host", "KG_HOST", str, "127.0.0.1", "address the server listens on"),
    Option("port", "KG_PORT", int, 8000, "port the server listens on"),
    Option("workers", "KG_WORKERS", int, _default_workers(),
           "HTTP worker processes (default: one per CPU core, at least 2)"),
    Option("threads", "KG_THREADS", int, 8, "request threads per HTTP worker"),
    Option("query_slots", "KG_QUERY_SLOTS", int, 3,
           "queries evaluated at once per HTTP worker (each in its own process); "
           "beyond that a request waits `queue_wait` seconds, then gets 503. Keep it above "
           "`client_queries`, so that one client never holds every slot of a worker"),
    Option("queue_wait", "KG_QUEUE_WAIT", float, 1.0,
           "seconds a query waits for a free slot before 503 + Retry-After"),
    Option("query_timeout", "KG_QUERY_TIMEOUT", float, 30.0,
           "seconds after which a query or update is stopped (its process killed) and 503 "
           "returned"),
    Option("query_memory", "KG_QUERY_MEMORY", int, 2048,
           "address-space limit of each query or update process in MB (0: none); one that "
           "needs more is stopped with 503"),
    Option("client_queries", "KG_CLIENT_QUERIES", int, 2,
           "queries one client (address) may have evaluating at once, over all workers; "
           "beyond that 429 + Retry-After (0: no limit)"),
    Option("client_query_time", "KG_CLIENT_QUERY_TIME", float, 60.0,
           "seconds of query evaluation one client may use per minute (refilled "
           "continuously); beyond that 429 + Retry-After (0: no limit)"),
    Option("trusted_proxies", "KG_TRUSTED_PROXIES", addresses, (),
           "addresses or networks (CIDR) of reverse proxies whose `X-Forwarded-For` names "
           "the client; empty = the connection's address is the client"),
    Option("http_max_age", "KG_HTTP_MAX_AGE", int, 60,
           "seconds a browser or cache may reuse a GET answer or page without asking again "
           "(`Cache-Control: max-age`); it then revalidates with its ETag"),
    Option("max_query_length", "KG_MAX_QUERY_LENGTH", int, 100_000,
           "longest query or update accepted, in characters (413 beyond)"),
    Option("max_rows", "KG_MAX_ROWS", int, 10_000,
           "rows (or triples) returned at most; a cut result carries `X-Result-Truncated: true`"),
    Option("max_body", "KG_MAX_BODY", int, 10_000_000,
           "largest request body in bytes, e.g. a Graph Store upload (413 beyond)"),
    Option("update_token", "KG_UPDATE_TOKEN", str, "",
           "bearer token enabling /update and Graph Store writes; empty = read-only"),
    Option("allowed_services", "KG_ALLOWED_SERVICES", _names, (),
           "endpoint IRIs that SERVICE and LOAD may reach (space or comma separated); "
           "empty = none"),
    Option("service_timeout", "KG_SERVICE_TIMEOUT", float, 10.0,
           "seconds one call to an allowed SERVICE endpoint may take in all (504 beyond)"),
    Option("service_max_bytes", "KG_SERVICE_MAX_BYTES", int, 5_000_000,
           "largest answer accepted from an allowed SERVICE endpoint, in bytes (502 beyond)"),
    Option("cors_origin", "KG_CORS_ORIGIN", str, "*",
           "Access-Control-Allow-Origin of the read endpoints; empty disables CORS"),
    Option("store_backend", "KG_STORE_BACKEND", str, "local",
           "`local` (the on-disk store under `store`) or `sparql` (a remote SPARQL 1.1 "
           "engine at the URLs below; see docs/scaling.md)"),
    Option("sparql_query_urls", "KG_SPARQL_QUERY_URLS", _names, (),
           "remote mode: query endpoints (space or comma separated), used in turn; one that "
           "fails is skipped for a few seconds and the query goes to the next"),
    Option("sparql_update_url", "KG_SPARQL_UPDATE_URL", str, "",
           "remote mode: the update endpoint (the writer); empty = read-only"),
    Option("sparql_store_url", "KG_SPARQL_STORE_URL", str, "",
           "remote mode: the Graph Store Protocol endpoint for whole-graph writes and "
           "`kg load`; empty = SPARQL Update at `sparql_update_url`"),
    Option("sparql_user", "KG_SPARQL_USER", str, "",
           "remote mode: user name for the engine (HTTP basic auth; digest for Virtuoso)"),
    Option("sparql_password", "KG_SPARQL_PASSWORD", str, "", "remote mode: its password"),
    Option("sparql_dialect", "KG_SPARQL_DIALECT", str, "generic",
           "remote mode: `generic`, `oxigraph` or `virtuoso` (form-encoded queries, its "
           "system graphs left out of the graph list)"),
)


@dataclass(frozen=True)
class Settings:
    """Resolved settings, passed to the store and the web app."""

    store: Path
    ontology_dir: Path
    data_file: Path
    host: str
    port: int
    workers: int
    threads: int
    query_slots: int
    queue_wait: float
    query_timeout: float
    query_memory: int
    client_queries: int
    client_query_time: float
    trusted_proxies: tuple[str, ...]
    http_max_age: int
    max_query_length: int
    max_rows: int
    max_body: int
    update_token: str
    allowed_services: tuple[str, ...]
    service_timeout: float
    service_max_bytes: int
    cors_origin: str
    store_backend: str
    sparql_query_urls: tuple[str, ...]
    sparql_update_url: str
    sparql_store_url: str
    sparql_user: str
    sparql_password: str
    sparql_dialect: str

    @classmethod
    def load(cls, args: argparse.Namespace | None = None, **overrides) -> "Settings":
        """Flags (``args``) over ``overrides`` over ``KG_*`` variables over defaults."""
        values = {}
        for option in OPTIONS:
            value = option.default
            if option.env in os.environ:
                value = option.parse(os.environ[option.env])
            if option.name in overrides:
                value = overrides[option.name]
            flag_value = getattr(args, option.name, None) if args is not None else None
            if flag_value is not None:
                value = flag_value
            values[option.name] = value
        return cls(**values)


assert [f.name for f in fields(Settings)] == [o.name for o in OPTIONS]


def add_arguments(parser: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """Add the flags of the named settings (all when ``names`` is None) to a subcommand."""
    for option in OPTIONS:
        if names is None or option.name in names:
            parser.add_argument(
                option.flag, dest=option.name, type=option.parse, default=None,
                help=f"{option.help} [env {option.env}]",
            )


def markdown_table() -> str:
    """The README's settings table."""
    rows = ["| Flag | Environment | Default | Meaning |", "|---|---|---|---|"]
    for option in OPTIONS:
        default = option.default
        if isinstance(default, Path):
            default = default.relative_to(PROJECT_ROOT)
        elif option.name == "workers":
            default = "CPU cores, min 2"
        elif isinstance(default, tuple):
            default = " ".join(default)
        shown = f"`{default}`" if default not in ("", None) else "(empty)"
        rows.append(f"| `{option.flag}` | `{option.env}` | {shown} | {option.help} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
