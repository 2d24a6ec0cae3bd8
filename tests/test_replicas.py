"""Read replicas, simulated on loopback: one writer, read-only replicas made from a published
snapshot of it (its whole dataset, read over the Graph Store Protocol and bulk-loaded into a
directory that is never written again, served by ``oxigraph serve-read-only``), and ``kg
serve`` front ends whose query URLs are the replicas and whose update URL is the writer.

(``oxigraph backup`` of the running writer would be cheaper, but in oxigraph 0.5.13 it missed
the writes still in the writer's memory: the copies came out empty.)
"""

import itertools
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import TOKEN, Server, auth
from engines import OXIGRAPH, Oxigraph, kg_load

from kg.settings import Settings
from kg.store.remote import RemoteStore

pytestmark = pytest.mark.slow
INVASION = "ASK { kgr:SovietInvasionOfPoland a kg:Event }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def snapshot(writer: Oxigraph, destination: Path) -> Path:
    """Publish the writer's current data as an immutable store directory."""
    quads = destination.with_suffix(".nq")
    with requests.get(writer.url + "/store", headers={"Accept": "application/n-quads"},
                      stream=True) as response, open(quads, "wb") as out:
        response.raise_for_status()
        for chunk in response.iter_content(2**16):
            out.write(chunk)
    subprocess.run([str(OXIGRAPH), "load", "--location", str(destination), "--file",
                    str(quads)], check=True, capture_output=True)
    return destination


def replicas_of(writer: Oxigraph, workdir: Path, name: str) -> list[Oxigraph]:
    return [Oxigraph(snapshot(writer, workdir / f"{name}-{i}"), read_only=True).start()
            for i in range(2)]


def front_end(workdir: Path, writer: Oxigraph, replicas: list[Oxigraph]) -> Server:
    env = replicas[0].env(writer, *replicas[1:])
    return Server(workdir, {"--store": workdir / f"front-{replicas[0].port}"},
                  {**env, "KG_UPDATE_TOKEN": TOKEN}).start()


def engine_version(engine: Oxigraph) -> str:
    """The version our remote store reads from one engine alone."""
    env = engine.env()
    settings = Settings.load(store_backend="sparql",
                             sparql_query_urls=tuple(env["KG_SPARQL_QUERY_URLS"].split()))
    return RemoteStore(settings).version().tag


def connections_to(engine: Oxigraph) -> int:
    """Established TCP connections to the engine's port (the front ends keep theirs open)."""
    port = f"{engine.port:04X}"
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for line in lines
               if line.split()[1].endswith(":" + port) and line.split()[3] == "01")


def count(front: Server) -> str:
    """The triple count a front end answers (a cache-free text each time)."""
    return front.select(f"{COUNT} # {time.monotonic()}")[0]["n"]


class Traffic:
    """Client threads sending distinct queries (no answer cache can serve them) until stopped;
    every status code is kept with the time its request was sent (so "after the switch" means
    sent after it, however long a loaded machine takes to answer)."""

    def __init__(self, servers, threads: int = 4):
        self.servers = servers
        self.results: list[tuple[float, int, str]] = []
        self._stop = threading.Event()
        self._numbers = itertools.count()
        self._threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self):
        session = requests.Session()
        while not self._stop.is_set():
            n = next(self._numbers)
            server = self.servers[n % len(self.servers)]
            sent = time.monotonic()
            try:
                response = session.post(server.url + "/sparql", timeout=30, data={
                    "query": f"{COUNT} # request {n}"},
                    headers={"Accept": "application/sparql-results+json"})
                value = (response.json()["results"]["bindings"][0]["n"]["value"]
                         if response.status_code == 200 else response.text)
                self.results.append((sent, response.status_code, value))
            except requests.RequestException as error:
                self.results.append((sent, 0, str(error)))

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def failures(self) -> list:
        return [r for r in self.results if r[1] != 200]


def deploy(workdir: Path):
    """The writer loaded with the article's graph, two replicas of it, two front ends."""
    engines, fronts = [], []
    try:
        writer = Oxigraph(workdir / "writer").start()
        engines.append(writer)
        kg_load(writer.env())
        replicas = replicas_of(writer, workdir, "blue")
        engines += replicas
        fronts += [front_end(workdir, writer, replicas) for _ in range(2)]
        yield writer, replicas, fronts
    finally:
        for front in fronts:
            front.stop()
        for engine in engines:
            engine.kill()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Shared by the tests that leave every process running (a write goes to a graph of its
    own, which the replicas never see)."""
    yield from deploy(tmp_path_factory.mktemp("deployment"))


@pytest.fixture
def own_deployment(tmp_path):
    """For the tests that kill a replica or publish a new version."""
    yield from deploy(tmp_path)


def test_queries_go_to_both_replicas_in_turn(deployment):
    writer, replicas, fronts = deployment
    for n in range(20):
        assert fronts[n % 2].ask(f"{INVASION} # {n}")
    assert all(connections_to(r) > 0 for r in replicas)


def test_every_replica_and_front_end_reports_the_same_version(deployment):
    writer, replicas, fronts = deployment
    versions = {engine_version(e) for e in (writer, *replicas)}
    assert len(versions) == 1 and "empty" not in versions.pop()
    health = [requests.get(f.url + "/healthz").json() for f in fronts]
    assert health[0]["status"] == "ok" and health[0]["version"] == health[1]["version"]


def test_a_killed_replica_costs_no_client_an_error(own_deployment):
    writer, replicas, fronts = own_deployment
    with Traffic(fronts) as traffic:
        time.sleep(1.5)
        replicas[0].kill()
        killed_at = time.monotonic()
        time.sleep(3)
    after = [r for r in traffic.results if r[0] > killed_at]
    assert len(after) > 20
    assert traffic.failures() == []


def test_writes_reach_the_writer_only(deployment):
    writer, replicas, fronts = deployment
    response = requests.post(fronts[0].url + "/update", headers=auth(), data={
        "update": "INSERT DATA { GRAPH <https://example.org/new> { kgr:a kg:b kgr:c } }"})
    assert response.status_code == 204
    ask = "ASK { GRAPH <https://example.org/new> { ?s ?p ?o } }"
    answers = [requests.post(e.url + "/query", data={"query": ask},
                             headers={"Accept": "application/sparql-results+json"}).json()
               for e in (writer, *replicas)]
    assert [a["boolean"] for a in answers] == [True, False, False]


def test_a_new_version_is_published_blue_green_without_a_failed_request(own_deployment,
                                                                        tmp_path):
    writer, blue, blue_fronts = own_deployment
    old = requests.get(blue_fronts[0].url + "/healthz").json()["version"]
    old_count = count(blue_fronts[0])
    serving = list(blue_fronts)  # what the edge (a load balancer) sends clients to
    with Traffic(serving) as traffic:
        kg_load(writer.env(), {"--data-file": Path(__file__).parent / "fixtures" /
                               "triples.ttl"})  # the writer gets new data
        green = replicas_of(writer, tmp_path, "green")
        green_fronts = [front_end(tmp_path, writer, green) for _ in range(2)]
        new = requests.get(green_fronts[0].url + "/healthz").json()["version"]
        new_count = count(green_fronts[0])
        serving[:] = green_fronts  # switch
        switched_at = time.monotonic()
        time.sleep(1)
        for front in blue_fronts:  # retire blue
            front.stop()
        for engine in blue:
            engine.kill()
        time.sleep(1)
    try:
        assert new != old
        assert traffic.failures() == []
        assert len([r for r in traffic.results if r[0] > switched_at]) > 10
        # Every answer is the old count or the new one, and after the switch the new one.
        assert new_count != old_count
        assert {r[2] for r in traffic.results} == {old_count, new_count}
        assert {r[2] for r in traffic.results if r[0] > switched_at + 0.1} == {new_count}
    finally:
        for front in green_fronts:
            front.stop()
        for engine in green:
            engine.kill()
