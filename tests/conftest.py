"""Shared fixtures: real stores on disk and real servers (``kg serve``) on free ports."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

FIXTURES = Path(__file__).parent / "fixtures"
W3C = Path(__file__).parent / "w3c"
TOKEN = "test-token-5f2c"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_using(directory) -> set[int]:
    """PIDs of processes with a file open under ``directory``: the evaluators of a store,
    or the process writing a new version."""
    prefix = str(directory)
    found = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd).startswith(prefix) for fd in fd_dir.iterdir()):
                found.add(int(fd_dir.parent.name))
        except OSError:
            continue
    return found


def copy_sources(directory: Path, *, ontology: bool = True, data: bool = True) -> dict:
    """Fixture sources in ``directory``; returns the settings flags that point at them."""
    directory.mkdir(parents=True, exist_ok=True)
    ontology_dir, data_file = directory / "ontology", directory / "triples.ttl"
    if ontology:
        shutil.copytree(FIXTURES / "ontology", ontology_dir, dirs_exist_ok=True)
    if data:
        shutil.copy(FIXTURES / "triples.ttl", data_file)
    return {"--store": directory / "store", "--ontology-dir": ontology_dir,
            "--data-file": data_file}


class Server:
    """A ``kg serve`` subprocess; ``url`` is its base URL, ``log`` its stderr file."""

    def __init__(self, workdir: Path, flags: dict, env: dict | None = None):
        self.workdir = workdir
        self.flags = {**flags}
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"serve-{self.port}.log"
        self.process = None

    def start(self, timeout: float = 60) -> "Server":
        argv = [sys.executable, "-m", "kg.cli", "serve", "--port", str(self.port)]
        for flag, value in self.flags.items():
            argv += [flag, str(value)]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=log, env=self.env,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kg serve exited: {self.log.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"kg serve did not become healthy: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def query(self, query: str, accept: str = "application/sparql-results+json", **params):
        return requests.post(self.url + "/sparql", data={"query": query, **params},
                             headers={"Accept": accept}, timeout=60)

    def select(self, query: str) -> list[dict]:
        response = self.query(query)
        assert response.status_code == 200, response.text
        return [{k: v["value"] for k, v in row.items()}
                for row in response.json()["results"]["bindings"]]

    def ask(self, query: str) -> bool:
        response = self.query(query)
        assert response.status_code == 200, response.text
        return response.json()["boolean"]


@pytest.fixture
def start_server(tmp_path):
    """Start servers with given flags/env; all are stopped after the test."""
    servers = []

    def start(flags: dict | None = None, env: dict | None = None, **source_options) -> Server:
        server = Server(tmp_path, flags or copy_sources(tmp_path / "src", **source_options), env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The default, read-only server on the fixture data, shared by read-only tests."""
    workdir = tmp_path_factory.mktemp("server")
    started = Server(workdir, copy_sources(workdir / "src")).start()
    yield started
    started.stop()


@pytest.fixture(scope="session")
def writable_server(tmp_path_factory):
    """A server with an update token, for tests that write (each uses its own graphs)."""
    workdir = tmp_path_factory.mktemp("writable")
    started = Server(workdir, copy_sources(workdir / "src"), {"KG_UPDATE_TOKEN": TOKEN}).start()
    yield started
    started.stop()


def auth(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def article_server(tmp_path_factory):
    """A read-only server on the real graph (ontology/ and data/triples.ttl), for tests
    that check answers against the article: the example queries and the browser tests."""
    from kg.iris import ONTOLOGY_DIR, TRIPLES_FILE

    workdir = tmp_path_factory.mktemp("article")
    flags = {"--store": workdir / "store", "--ontology-dir": ONTOLOGY_DIR,
             "--data-file": TRIPLES_FILE}
    started = Server(workdir, flags).start()
    yield started
    started.stop()
