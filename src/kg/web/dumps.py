"""``/dumps/``: the whole graph as files, written once per store version and served as files.

The first request after a load (or an update) writes every dump of ``kg.dump.DUMPS``,
plain and gzip-compressed, with a SHA-256 list and a JSON index, into
``<store>/dumps/<store version>-w<writer version>/``: a process takes a lock, writes into a fresh
directory and renames it into place, so a reader sees all the files or none.
Files are served by werkzeug's ``send_file``, which answers conditional requests
(ETag: the file's SHA-256; Last-Modified: when it was written) with 304 and byte
ranges with 206 / 416. A request's file name is only ever looked up in the index:
nothing from the URL reaches the file system.
"""

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, render_template, send_file, url_for
from werkzeug.exceptions import NotFound

from kg import dump as dumps_module
from kg.iris import DUMPS_ROUTE, VOID_ROUTE
from kg.store import StoreUnavailable
from kg.store.layout import file_lock
from kg.web import settings, store

blueprint = Blueprint("dumps", __name__)

INDEX = "index.json"
CHECKSUMS = "SHA256SUMS"
GZIP_TYPE = "application/gzip"
#: Dump directories kept besides the current one (a request may still be sending from it).
KEEP_PREVIOUS = 1


class DumpFiles:
    """The dump directory of each store version under ``<store>/dumps/``."""

    def __init__(self, root: Path):
        self.root = Path(root) / "dumps"

    def index(self, graph_store) -> tuple[dict, Path]:
        """The index of the current version's dumps and their directory, written if missing."""
        for _ in range(3):
            store_version = _store_version(graph_store)
            directory = self.root / f"{store_version}-w{dumps_module.WRITER_VERSION}"
            if not (directory / INDEX).is_file():
                with file_lock(self.root / ".lock"):
                    if not (directory / INDEX).is_file():
                        dataset = dumps_module.read_dataset(graph_store)
                        if _store_version(graph_store) != store_version:
                            continue  # a load published another version meanwhile
                        self._write(dataset, directory, store_version)
                        self._prune(keep=directory)
            return json.loads((directory / INDEX).read_text()), directory
        raise StoreUnavailable("the store keeps changing; try again")


    def _write(self, dataset, directory: Path, store_version: str) -> None:
        for stale in self.root.glob(".building-*"):  # left by a killed writer (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        building = self.root / f".building-{os.getpid()}"
        building.mkdir()
        files = []
        for dump in dumps_module.DUMPS:
            for compress in (False, True):
                name = dump.name + (".gz" if compress else "")
                with open(building / name, "wb") as output:
                    triples = dumps_module.write(dataset, dump, output, compress)
                files.append({
                    "name": name,
                    "edition": dump.edition.name,
                    "format": dump.format.name,
                    "rdf12": dump.rdf12,
                    "gzip": compress,
                    "media_type": GZIP_TYPE if compress else dump.media_type,
                    "description": dump.description,
                    "triples": triples,
                    "bytes": (building / name).stat().st_size,
                    "sha256": _sha256(building / name),
                })
        (building / CHECKSUMS).write_text("".join(f"{f['sha256']}  {f['name']}\n" for f in files))
        index = {
            "version": dumps_module.version(dataset),
            "store_version": store_version,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "checksums": CHECKSUMS,
            "files": files,
        }
        (building / INDEX).write_text(json.dumps(index, indent=2))
        os.rename(building, directory)

    def _prune(self, keep: Path) -> None:
        """Remove the dumps of old store versions (the caller holds the lock)."""
        old = sorted(p for p in self.root.iterdir() if p.is_dir() and p != keep
                     and not p.name.startswith("."))
        for path in old[: max(0, len(old) - KEEP_PREVIOUS)]:
            shutil.rmtree(path, ignore_errors=True)


def _store_version(graph_store) -> str:
    health = graph_store.health()
    if health.get("status") != "ok":
        raise StoreUnavailable(health.get("reason", "the store is not available"))
    return health["version"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def current_index() -> tuple[dict, Path]:
    """The dumps of the store being served (for the VoID description too)."""
    return DumpFiles(settings().store).index(store())


@blueprint.get(DUMPS_ROUTE)
def listing():
    index, _ = current_index()
    by_name = {f["name"]: f for f in index["files"]}
    # One row per dump: the file and its gzip copy side by side, grouped by edition.
    tables = [(edition, [{**by_name[d.name], "format_name": d.format.oxigraph.name,
                          "keeps_graphs": d.keeps_graphs, "compressed": by_name[d.name + ".gz"]}
                         for d in dumps_module.DUMPS if d.edition == edition])
              for edition in dumps_module.EDITIONS]
    return render_template("dumps.html", index=index, tables=tables,
                           checksums_url=url_for("dumps.file", name=CHECKSUMS),
                           index_url=url_for("dumps.file", name=INDEX), void_url=VOID_ROUTE)


@blueprint.get(DUMPS_ROUTE + "<name>")
def file(name: str):
    index, directory = current_index()
    known = {f["name"]: f for f in index["files"]}
    if name in known:
        entry = known[name]
        media_type, etag = entry["media_type"], entry["sha256"]
    elif name in (CHECKSUMS, INDEX):
        media_type = "text/plain" if name == CHECKSUMS else "application/json"
        etag = _sha256(directory / name)
    else:
        raise NotFound(f"no dump named {name!r}; the list is at {DUMPS_ROUTE}")
    # no-cache: a client may keep the file but must revalidate (a 304 when unchanged).
    return send_file(directory / name, mimetype=media_type, etag=etag, conditional=True,
                     download_name=name, max_age=None)
