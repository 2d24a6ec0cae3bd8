"""Remote SPARQL engines for the remote-mode tests: ``oxigraph serve`` processes on free ports,
and the settings that point ``kg`` at them (``KG_STORE_BACKEND=sparql``)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from conftest import free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


class Oxigraph:
    """``oxigraph serve`` (or ``serve-read-only``) on a store directory."""

    def __init__(self, location: Path, read_only: bool = False, port: int | None = None):
        self.location = location
        self.read_only = read_only
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> "Oxigraph":
        command = "serve-read-only" if self.read_only else "serve"
        log = open(self.location.parent / f"oxigraph-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [str(OXIGRAPH), command, "--location", str(self.location),
             "--bind", f"127.0.0.1:{self.port}"],
            stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/query?query=ASK%7B%7D", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError(f"oxigraph {command} did not start on {self.location}")

    def kill(self) -> None:
        """Stop it at once (SIGKILL), as a replica that dies would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def env(self, writer: "Oxigraph | None" = None, *others: "Oxigraph") -> dict:
        """Settings for kg over this engine (queries also to ``others``; writes to ``writer``,
        this one when not given)."""
        writer = writer or self
        return {"KG_STORE_BACKEND": "sparql",
                "KG_SPARQL_QUERY_URLS": " ".join(e.url + "/query" for e in (self, *others)),
                "KG_SPARQL_UPDATE_URL": writer.url + "/update",
                "KG_SPARQL_STORE_URL": writer.url + "/store",
                "KG_SPARQL_DIALECT": "oxigraph"}


def copy_of_local_store(store: Path, location: Path) -> Path:
    """``oxigraph load`` of every quad of a local kg store (as published) into ``location``,
    so the engine holds exactly what the local server serves, load times included."""
    import pyoxigraph as ox

    from kg.store.layout import Layout

    quads = location.parent / f"{location.name}.nq"
    local = ox.Store.read_only(str(Layout(store).current_version() / "db"))
    local.dump(str(quads), ox.RdfFormat.N_QUADS)
    del local
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(quads)],
                   check=True, capture_output=True)
    return location


def kg_load(env: dict, flags: dict | None = None) -> None:
    """``kg load`` with the given settings (remote: onto the engine they name)."""
    argv = [sys.executable, "-m", "kg.cli", "load"]
    for flag, value in (flags or {}).items():
        argv += [flag, str(value)]
    subprocess.run(argv, env={**os.environ, **env}, check=True, capture_output=True)
