"""``kg load``: build the store from the ontology and the data, aside, then swap it in.

The store records a hash of its sources' contents (not their mtimes, which git
checkouts do not preserve), so ``kg serve`` reloads exactly when the files changed.
A missing ontology directory or data file is not an error: the store then holds
whatever exists, down to nothing.
"""

import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from kg import search
from kg import settings as settings_module
from kg.iris import DATA_GRAPH, ONTOLOGY_GRAPH
from kg.store.layout import Layout
from kg.store.rules import entail

#: Bump when the loading or entailment rules change, so existing stores are rebuilt.
LOADER_VERSION = "2"


def source_files(settings) -> list[tuple[str, Path]]:
    """(graph, file) pairs to load, in a stable order."""
    files = []
    if settings.ontology_dir.is_dir():
        files += [(ONTOLOGY_GRAPH, p) for p in sorted(settings.ontology_dir.glob("*.ttl"))]
    if settings.data_file.is_file():
        files.append((DATA_GRAPH, settings.data_file))
    return files


def sources_hash(settings) -> str:
    digest = hashlib.sha256(f"loader {LOADER_VERSION}\n".encode())
    for graph, path in source_files(settings):
        digest.update(f"{graph} {path.name} {path.stat().st_size}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_stale(settings) -> bool:
    """True when the store is missing or was loaded from other sources."""
    meta = Layout(settings.store).meta()
    return meta is None or meta.get("sources_hash") != sources_hash(settings)


def build(settings) -> dict:
    """Load the sources into a new version and publish it; returns its metadata."""
    layout = Layout(settings.store)
    with layout.write_lock():
        layout.prune()
        digest = sources_hash(settings)
        build_dir = layout.new_build()
        store = ox.Store(str(build_dir / "db"))
        for graph, path in source_files(settings):
            store.bulk_load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]),
                            to_graph=ox.NamedNode(graph))
        entail(store, digest)
        store.optimize()
        search.build_index(store, search.index_path(build_dir))
        meta = {
            "sources_hash": digest,
            "sources": [str(path) for _, path in source_files(settings)],
            "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "quads": len(store),
        }
        store.flush()
        del store  # closes RocksDB before the directory moves
        version = layout.publish(build_dir, meta)
    return {**meta, "version": version.name}


def build_or_exit(settings, command: str = "kg load") -> dict:
    """``build``, for commands: a store path that is a full disk, read-only or runs through
    a file ends the command with one clear line on stderr and exit status 1, no traceback."""
    try:
        return build(settings)
    except OSError as error:
        print(f"{command}: cannot write the store in {settings.store}: {error}",
              file=sys.stderr)
        raise SystemExit(1) from None


def add_arguments(parser) -> None:
    settings_module.add_arguments(parser, ("store", "ontology_dir", "data_file",
                                           "store_backend"))


def run(args) -> int:
    settings = settings_module.Settings.load(args)
    if settings.store_backend != "local":
        from kg.store import StoreError, open_store

        try:
            meta = open_store(settings).load()
        except (StoreError, ValueError) as error:
            print(f"kg load: {error}", file=sys.stderr)
            return 1
        print(f"loaded {meta['quads']} quads from {len(meta['sources'])} files into "
              f"{', '.join(settings.sparql_query_urls)} (version {meta['version']})",
              file=sys.stderr)
        return 0
    meta = build_or_exit(settings)
    print(f"loaded {meta['quads']} quads from {len(meta['sources'])} files into "
          f"{settings.store}/current -> versions/{meta['version']}", file=sys.stderr)
    return 0
