"""What the robustness tests share: servers on the real graph, their process trees (read
from /proc), the routes of the OpenAPI description, and reports in test-artifacts/.

The servers are ``kg serve`` as a user runs it (gunicorn master, HTTP workers, evaluator
processes), started with ``start_server`` from tests/conftest.py.
"""

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import TOKEN, Server, copy_sources

from kg.iris import ONTOLOGY_DIR, PROJECT_ROOT, TRIPLES_FILE
from kg.store.layout import Layout
from kg.web import openapi

#: Where the suite writes its summaries (kept out of git).
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "robustness"
#: Words that only a stack trace or a leaked source path would put in a response.
TRACE_MARKERS = ("Traceback", 'File "', "site-packages")


def real_graph_flags(directory: Path) -> dict:
    """``kg serve`` flags for the real graph (ontology/ and data/triples.ttl), own store."""
    return {"--store": directory / "store", "--ontology-dir": ONTOLOGY_DIR,
            "--data-file": TRIPLES_FILE}


def open_current(store_dir: Path) -> ox.Store:
    """The published version of a store, opened read-only next to the running server."""
    return ox.Store.read_only(str(Layout(store_dir).current_version() / "db"))


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    tree = [pid]
    for child in children(pid):
        tree += process_tree(child)
    return tree


def rss_bytes(pids) -> int:
    """Resident memory of these processes, summed (VmRSS from /proc/PID/status)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue  # the process ended meanwhile
    return total


def http_workers(server) -> list[int]:
    """The gunicorn worker processes of a server (not multiprocessing's helpers)."""
    return [pid for pid in children(server.process.pid) if "multiprocessing" not in cmdline(pid)]


def evaluators(worker: int) -> list[int]:
    """The query evaluator processes of one HTTP worker: forked by the worker's fork
    server (``kg.store.evaluator``)."""
    return [pid for server in children(worker) if "forkserver" in cmdline(server)
            for pid in children(server)]


def operations() -> list[tuple[str, str]]:
    """(path, method) of every operation in the OpenAPI description, the route list the
    bad-input tests walk; a route added there is exercised without touching the tests."""
    return sorted((path, method.upper())
                  for path, item in openapi.description()["paths"].items()
                  for method in item if method in ("get", "post", "put", "delete", "head"))


def assert_no_stack_trace(response) -> None:
    body = response.content.decode("utf-8", "replace")
    for marker in TRACE_MARKERS:
        assert marker not in body, f"{response.request.method} {response.url}: {body[:500]}"


def write_report(name: str, report: dict) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.json"
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return path


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A writable server on the fixture data with a short query timeout, its own store, for
    tests that throw random or generated requests at every route."""
    workdir = tmp_path_factory.mktemp("sandbox")
    started = Server(workdir, copy_sources(workdir / "src"),
                     {"KG_UPDATE_TOKEN": TOKEN, "KG_QUERY_TIMEOUT": "2"}).start()
    yield started
    started.stop()
