"""The two servers the benchmark compares, started on free loopback ports from one set of files.

``oxigraph serve`` (the Rust server of the PyPI package ``oxigraph``, the same storage
engine as pyoxigraph) gets its own store, loaded with ``oxigraph load`` from the same
files as ours: ``ontology/*.ttl`` into the ontology graph, ``data/triples.ttl`` into the
data graph, and the entailed graph that ``kg load`` computed, dumped from our store, so
both answer every query with the same triples. Ours is ``kg serve`` as shipped: gunicorn,
default settings, every limit on, 127.0.0.1 trusted as a proxy (see ``request.lua``).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A server subprocess in its own session, its output in ``log``."""

    def __init__(self, name: str, argv: list[str], url: str, ready: str, log: Path):
        self.name, self.argv, self.url, self.ready, self.log = name, argv, url, ready, log
        self.process = None

    def start(self, timeout: float = 120) -> "Process":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, stdout=log, stderr=log,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(self.ready, timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def load_ours(workdir: Path, data_file: Path = ROOT / "data" / "triples.ttl") -> Path:
    """``kg load`` into ``workdir/kg-store``; returns the store directory."""
    store = workdir / "kg-store"
    subprocess.run([str(BIN / "kg"), "load", "--store", str(store),
                    "--ontology-dir", str(ROOT / "ontology"), "--data-file", str(data_file)],
                   check=True, capture_output=True)
    return store


def load_oxigraph(workdir: Path, our_store: Path,
                  data_file: Path = ROOT / "data" / "triples.ttl") -> Path:
    """``oxigraph load`` of the same files (and our entailed graph) into ``workdir/oxigraph``."""
    from kg.iris import DATA_GRAPH, ENTAILED_GRAPH, ONTOLOGY_GRAPH
    from kg.store.layout import Layout

    location = workdir / "oxigraph"
    entailed = workdir / "entailed.nt"
    store = ox.Store.read_only(str(Layout(our_store).current_version() / "db"))
    store.dump(str(entailed), ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(ENTAILED_GRAPH))
    del store
    files = [(ONTOLOGY_GRAPH, p) for p in sorted((ROOT / "ontology").glob("*.ttl"))]
    files += [(DATA_GRAPH, data_file), (ENTAILED_GRAPH, entailed)]
    for graph, path in files:
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location),
                        "--file", str(path), "--graph", graph], check=True, capture_output=True)
    return location


def oxigraph_serve(location: Path, workdir: Path) -> Process:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # --union-default-graph: our endpoint's default graph is the union of all graphs too.
    # No --timeout-s: oxigraph 0.5.13 starts a thread per query that sleeps out the timeout,
    # and at thousands of requests per second it ran out of memory for their stacks.
    argv = [str(BIN / "oxigraph"), "serve", "--location", str(location),
            "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return Process("oxigraph serve", argv, url + "/query", url + "/query?query=ASK%7B%7D",
                   workdir / "oxigraph-serve.log")


def kg_serve(store: Path, workdir: Path, data_file: Path = ROOT / "data" / "triples.ttl",
             ) -> Process:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Every limit as shipped; wrk's requests say which of its many clients they come from
    # (X-Forwarded-For), as a proxy in front would, so the fair share applies per client.
    argv = [str(BIN / "kg"), "serve", "--store", str(store), "--port", str(port),
            "--ontology-dir", str(ROOT / "ontology"), "--data-file", str(data_file),
            "--trusted-proxies", "127.0.0.1"]
    return Process("kg serve", argv, url + "/sparql", url + "/healthz", workdir / "kg-serve.log")


def rss_mb(root_pid: int) -> dict[str, list[float]]:
    """Resident memory (MB) of a ``kg serve`` process tree, by role: the gunicorn master,
    its HTTP workers, their fork servers and the evaluator processes forked from them, and
    multiprocessing's resource trackers."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found: dict[str, list[float]] = {}
    todo = [(root_pid, 0)]
    while todo:
        pid, depth = todo.pop()
        todo += [(child, depth + 1) for child in children.get(pid, [])]
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        role = ("master" if depth == 0 else "worker" if depth == 1
                else "resource tracker" if "resource_tracker" in cmdline
                else "fork server" if depth == 2 and "forkserver" in cmdline else "evaluator")
        rss = next((int(line.split()[1]) for line in status.splitlines()
                    if line.startswith("VmRSS:")), None)
        if rss is None:  # exited between listing and reading: a zombie has no VmRSS
            continue
        found.setdefault(role, []).append(round(rss / 1024))
    return found
