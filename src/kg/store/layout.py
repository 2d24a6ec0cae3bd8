"""Where store versions live on disk, and how a new one replaces the old atomically.

::

    <store>/current -> versions/<id>     the version being served (a relative symlink)
    <store>/versions/<id>/db/            Oxigraph (RocksDB) files, never written once published
    <store>/versions/<id>/meta.json      sources hash, load time, quad count
    <store>/building/<id>/               a version being built; a killed build leaves it here
    <store>/write.lock                   taken by whoever builds or updates
    <store>/dumps/<id>-w<n>/             the dump files of a version (kg.web.dumps), written once

A version is built aside, renamed into ``versions/`` and then published by renaming
a fresh symlink over ``current`` (``rename(2)`` is atomic), so a reader sees either
the old version or the new one, and a load killed at any point leaves the old one
serving. Readers re-read the link before each query and reopen when it moved.
"""

import fcntl
import json
import os
import shutil
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

#: Published versions kept besides the current one (a reader may still be finishing on it).
KEEP_PREVIOUS = 1


class Layout:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.current = self.root / "current"
        self.versions = self.root / "versions"
        self.building = self.root / "building"

    def current_version(self) -> Path | None:
        """The published version directory, or None when nothing was ever loaded."""
        try:
            target = os.readlink(self.current)
        except (FileNotFoundError, NotADirectoryError):  # no store, or a path through a file
            return None
        return self.root / target

    def meta(self, version: Path | None = None) -> dict | None:
        version = version or self.current_version()
        if version is None:
            return None
        try:
            return json.loads((version / "meta.json").read_text())
        except FileNotFoundError:
            return None

    def write_lock(self):
        """Serialise writers (loads, updates) across processes."""
        return file_lock(self.root / "write.lock")

    def new_build(self) -> Path:
        """A fresh directory to build a version in."""
        # Microseconds in the id: prune() keeps the newest by name, so ids must sort by time
        # even for builds made within one second.
        now = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        version_id = now + "-" + uuid.uuid4().hex[:8]
        path = self.building / version_id
        path.mkdir(parents=True)
        return path

    def copy_current(self) -> Path:
        """A new build that starts as a copy of the current version (for updates).

        RocksDB never modifies its .sst files, so they are hard-linked, not copied.
        """
        source = self.current_version()
        build = self.new_build()
        if source is None:
            return build

        def link_or_copy(src, dst):
            if src.endswith(".sst"):
                os.link(src, dst)
            else:
                shutil.copy2(src, dst)

        shutil.copytree(source, build, dirs_exist_ok=True, copy_function=link_or_copy)
        return build

    def discard(self, build: Path) -> None:
        """Remove a build that will not be published (a failed or stopped update)."""
        shutil.rmtree(build, ignore_errors=True)

    def publish(self, build: Path, meta: dict) -> Path:
        """Move a finished build into versions/ and point ``current`` at it."""
        (build / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True))
        self.versions.mkdir(parents=True, exist_ok=True)
        version = self.versions / build.name
        os.rename(build, version)
        link = self.root / f"current.{os.getpid()}.tmp"
        if link.is_symlink():
            link.unlink()
        os.symlink(os.path.relpath(version, self.root), link)
        os.replace(link, self.current)
        _fsync_dir(self.root)
        self.prune()
        return version

    def prune(self) -> None:
        """Remove old versions and builds left by killed loads (caller holds the write lock)."""
        current = self.current_version()
        if self.versions.is_dir():
            published = sorted(p for p in self.versions.iterdir() if p != current)
            for old in published[: max(0, len(published) - KEEP_PREVIOUS)]:
                shutil.rmtree(old, ignore_errors=True)
        if self.building.is_dir():
            for stale in self.building.iterdir():
                shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def file_lock(path: Path):
    """Hold an exclusive lock on ``path`` (created with its directory) across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
