"""Remote SPARQL engines for the remote-mode tests: ``oxigraph serve`` and Debian's Virtuoso
processes on free ports, and the settings that point ``kg`` at them
(``KG_STORE_BACKEND=sparql``)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from conftest import free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
#: Debian's Virtuoso (``make virtuoso`` installs it, as CI does).
VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
#: The account of a fresh Virtuoso database (its documented default password).
VIRTUOSO_USER = ("dba", "dba")


class Oxigraph:
    """``oxigraph serve`` (or ``serve-read-only``) on a store directory."""

    name = "oxigraph"

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
        if not _answers(self.process, self.query_url, seconds=30):
            raise RuntimeError(f"oxigraph {command} did not start on {self.location}")
        return self

    def kill(self) -> None:
        """Stop it at once (SIGKILL), as a replica that dies would."""
        _kill(self.process)

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    def env(self, writer: "Oxigraph | None" = None, *others: "Oxigraph") -> dict:
        """Settings for kg over this engine (queries also to ``others``; writes to ``writer``,
        this one when not given)."""
        writer = writer or self
        return {"KG_STORE_BACKEND": "sparql",
                "KG_SPARQL_QUERY_URLS": " ".join(e.url + "/query" for e in (self, *others)),
                "KG_SPARQL_UPDATE_URL": writer.url + "/update",
                "KG_SPARQL_STORE_URL": writer.url + "/store",
                "KG_SPARQL_DIALECT": "oxigraph"}


class Virtuoso:
    """Debian's Virtuoso 7 (``virtuoso-t``) on a fresh database in ``location``: its SPARQL
    endpoint, SPARQL Update and Graph Store endpoints with digest authentication, on free
    ports; Debian's own settings otherwise, with the row limit and query time set as the
    README asks (``ResultSetMaxRows`` above ``KG_MAX_ROWS``)."""

    name = "virtuoso"

    def __init__(self, location: Path):
        self.location = location
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> "Virtuoso":
        self.location.mkdir(parents=True, exist_ok=True)
        db = self.location
        ini = db / "virtuoso.ini"
        ini.write_text(f"""[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = {free_port()}
DisableUnixSocket = 1
DirsAllowed = ., {db}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = {self.port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
EnabledGzipContent = 1
[URIQA]
DefaultHost = localhost:8890
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
""")
        log = open(db / "virtuoso-stdout.log", "ab")
        self.process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)],
                                        cwd=db, stdout=log, stderr=log, start_new_session=True)
        if not _answers(self.process, self.query_url, seconds=60):
            self.kill()
            raise RuntimeError(f"virtuoso-t did not start in {db} (see virtuoso.log there)")
        return self

    def kill(self) -> None:
        _kill(self.process)

    @property
    def query_url(self) -> str:
        return self.url + "/sparql"

    def env(self) -> dict:
        return {"KG_STORE_BACKEND": "sparql",
                "KG_SPARQL_QUERY_URLS": self.query_url,
                "KG_SPARQL_UPDATE_URL": self.url + "/sparql-auth",
                "KG_SPARQL_STORE_URL": self.url + "/sparql-graph-crud-auth",
                "KG_SPARQL_USER": VIRTUOSO_USER[0], "KG_SPARQL_PASSWORD": VIRTUOSO_USER[1],
                "KG_SPARQL_DIALECT": "virtuoso"}

    def load_local_store(self, store: Path) -> "Virtuoso":
        """Put every named graph of a local kg store (as published) on the engine with Graph
        Store PUTs, so it holds exactly the triples the local server serves."""
        import pyoxigraph as ox

        from kg.store.layout import Layout

        local = ox.Store.read_only(str(Layout(store).current_version() / "db"))
        auth = requests.auth.HTTPDigestAuth(*VIRTUOSO_USER)
        for graph in local.named_graphs():
            triples = [q.triple for q in local.quads_for_pattern(None, None, None, graph)]
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            requests.put(self.url + "/sparql-graph-crud-auth", params={"graph-uri": graph.value},
                         data=body, auth=auth, headers={"Content-Type": "application/n-triples"},
                         timeout=60).raise_for_status()
        return self


def _answers(process: subprocess.Popen, query_url: str, seconds: float) -> bool:
    """Whether a starting engine answers ``ASK {}`` within ``seconds`` (False at once if its
    process exits)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(query_url, params={"query": "ASK {}"}, timeout=1).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.05)
    return False


def _kill(process: subprocess.Popen | None) -> None:
    """Stop an engine's process group at once (SIGKILL), as a replica that dies would."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


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
