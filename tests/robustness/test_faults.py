"""Faults: processes killed with SIGKILL while they serve or write, and stores that cannot be
written. Each test says what a user keeps: answers from the other processes, a replaced
process, a store holding exactly what it held before or the whole change.

(A ``kg load`` killed half-way is tests/test_store.py's
``test_a_killed_load_leaves_the_previous_store_serving``.)
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from conftest import TOKEN, auth, free_port, processes_using

from .conftest import children, evaluators, http_workers, open_current, write_report

pytestmark = pytest.mark.slow

POINT = "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }"
POINT_ANSWER = [{"d": "1939-09-17"}]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: Triples in the big update: about 6 MB of SPARQL, several seconds of writing.
BULK_TRIPLES = 100_000
BULK_GRAPH = "http://example.org/bulk"


def wait_for(condition, timeout: float = 30, message: str = ""):
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting: {message}")


class PointClients:
    """Clients asking the point query back to back, recording each outcome with its time."""

    def __init__(self, url: str, count: int):
        """``count`` clients, each with an address of its own (``X-Forwarded-For`` from the
        trusted proxy 127.0.0.1), so none meets the per-client limits."""
        self.url = url
        self.stop = threading.Event()
        self.outcomes: list[tuple[float, float, str]] = []  # (sent at, answered at, outcome)
        self.threads = [threading.Thread(target=self._run, args=(f"10.0.0.{n + 1}",))
                        for n in range(count)]
        for thread in self.threads:
            thread.start()

    def _run(self, address: str) -> None:
        with requests.Session() as session:
            session.headers["X-Forwarded-For"] = address
            while not self.stop.is_set():
                sent = time.monotonic()
                try:
                    response = session.post(self.url + "/sparql", data={"query": POINT},
                                            timeout=60)
                    if response.status_code == 200:
                        rows = response.json()["results"]["bindings"]
                        ok = [{k: v["value"] for k, v in r.items()} for r in rows] \
                            == POINT_ANSWER
                        outcome = "200" if ok else "wrong answer"
                    elif response.status_code == 503 and "Retry-After" in response.headers:
                        outcome = "503 Retry-After"
                    else:
                        outcome = f"{response.status_code} {response.text[:100]}"
                except requests.RequestException as error:
                    outcome = type(error).__name__
                self.outcomes.append((sent, time.monotonic(), outcome))

    def finish(self) -> list[tuple[float, float, str]]:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        return self.outcomes


def test_a_killed_http_worker_is_replaced_and_the_other_keeps_serving(start_server):
    server = start_server(env={"KG_TRUSTED_PROXIES": "127.0.0.1"})
    workers = wait_for(lambda: len(http_workers(server)) == 2 and http_workers(server),
                       message="two HTTP workers")
    clients = PointClients(server.url, 16)
    wait_for(lambda: len(clients.outcomes) > 50, message="first answers")
    victim = workers[0]
    os.kill(victim, signal.SIGKILL)
    replaced = wait_for(lambda: (len(now := http_workers(server)) == 2 and victim not in now
                                 and now), message="a new worker")
    replaced_at = time.monotonic()
    wait_for(lambda: sum(1 for sent, _, _ in clients.outcomes if sent > replaced_at) > 200,
             message="answers after the replacement")
    outcomes = clients.finish()

    write_report("fault-worker", {"killed": victim, "workers_after": replaced,
                                  "requests": len(outcomes),
                                  "outcomes": Counter(o for _, _, o in outcomes)})
    failed = [(sent, outcome) for sent, _, outcome in outcomes
              if outcome not in ("200", "503 Retry-After")]
    # Only requests on the killed worker's connections can fail, as broken connections
    # (refused or reset, or cut while the answer was read): at most one per client.
    assert {outcome for _, outcome in failed} <= {"ConnectionError", "ChunkedEncodingError"}, \
        failed
    assert len(failed) <= len(clients.threads)
    assert not [o for sent, _, o in outcomes
                if sent > replaced_at + 1 and o not in ("200", "503 Retry-After")]
    assert set(replaced) - {victim}
    assert server.select(POINT) == POINT_ANSWER


def busy_evaluator(worker: int) -> int:
    """The evaluator of ``worker`` that is using the CPU (running the runaway query)."""
    def cpu(pid):
        return sum(int(x) for x in Path(f"/proc/{pid}/stat").read_text().split()[13:15])

    before = {pid: cpu(pid) for pid in evaluators(worker)}
    time.sleep(0.5)
    return max(before, key=lambda pid: cpu(pid) - before[pid])


def test_a_killed_evaluator_fails_its_query_alone_and_is_replaced(start_server):
    server = start_server(env={"KG_WORKERS": "1", "KG_QUERY_SLOTS": "2",
                               "KG_QUERY_TIMEOUT": "60"})
    (worker,) = http_workers(server)
    wait_for(lambda: len(evaluators(worker)) == 2, message="two evaluators")
    answers = {}
    runaway = threading.Thread(target=lambda: answers.update(r=server.query(RUNAWAY)))
    runaway.start()
    time.sleep(1)
    victim = busy_evaluator(worker)
    os.kill(victim, signal.SIGKILL)
    runaway.join(timeout=30)
    # The query on the killed process fails at once (not at its 60 s limit), with a reason.
    assert answers["r"].status_code == 503
    assert "process failed" in answers["r"].text
    # The worker lives on, with a fresh evaluator in place of the killed one.
    assert http_workers(server) == [worker]
    wait_for(lambda: len(evaluators(worker)) == 2 and victim not in evaluators(worker),
             message="a replacement evaluator")
    for _ in range(5):
        assert server.select(POINT) == POINT_ANSWER


def bulk_write(server, how: str) -> requests.Response:
    """Add BULK_TRIPLES triples to BULK_GRAPH in one request: a SPARQL Update, or a Graph
    Store PUT of N-Triples."""
    lines = [f'<http://example.org/s{i}> <http://example.org/n> "{i}" .'
             for i in range(BULK_TRIPLES)]
    if how == "update":
        return requests.post(
            server.url + "/update", timeout=120,
            data=f"INSERT DATA {{ GRAPH <{BULK_GRAPH}> {{ {' '.join(lines)} }} }}".encode(),
            headers={"Content-Type": "application/sparql-update", **auth()})
    return requests.put(server.url + "/store", params={"graph": BULK_GRAPH}, timeout=120,
                        data="\n".join(lines).encode(),
                        headers={"Content-Type": "application/n-triples", **auth()})


@pytest.mark.parametrize("how", ["update", "graph store put"])
def test_a_write_killed_midway_is_not_applied_and_a_whole_one_is(start_server, how):
    server = start_server(env={"KG_UPDATE_TOKEN": TOKEN, "KG_MAX_QUERY_LENGTH": "20000000"})
    store_dir = Path(server.flags["--store"])
    version_before = requests.get(server.url + "/healthz", timeout=10).json()["version"]
    quads_before = len(open_current(store_dir))
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BULK_GRAPH}> {{ ?s ?p ?o }} }}"

    answers = {}

    def write():
        try:
            answers["response"] = bulk_write(server, how)
        except requests.RequestException as error:
            answers["error"] = error

    writer = threading.Thread(target=write)
    writer.start()
    building = store_dir / "building"
    (update_process,) = wait_for(lambda: processes_using(building), timeout=60,
                                 message="the update to start writing")
    # The HTTP worker applies the update in a process of its own (with the query limits);
    # kill the worker, and its update process dies with it.
    (victim,) = [w for w in http_workers(server) if update_process in children(w)]
    os.kill(victim, signal.SIGKILL)
    writer.join(timeout=60)
    assert "response" not in answers  # the connection died with the worker
    wait_for(lambda: not processes_using(building), message="the update process to die")
    # Not at all: the same version serves, with exactly the quads it had.
    health = requests.get(server.url + "/healthz", timeout=10).json()
    assert health["version"] == version_before
    assert len(open_current(store_dir)) == quads_before
    assert server.select(count) == [{"n": "0"}]
    assert server.select(POINT) == POINT_ANSWER

    # Whole: the same write, not interrupted, adds every triple.
    assert bulk_write(server, how).status_code in (201, 204)
    assert server.select(count) == [{"n": str(BULK_TRIPLES)}]
    assert len(open_current(store_dir)) == quads_before + BULK_TRIPLES
    write_report(f"fault-{how.replace(' ', '-')}", {
        "killed_worker": victim, "quads_before": quads_before,
        "quads_after_kill": quads_before, "quads_after_whole_write": quads_before + BULK_TRIPLES})


@pytest.fixture
def tmpfs(tmp_path):
    """Mount small tmpfs file systems under tmp_path (we run as root, as CI does)."""
    mounted = []

    def mount(name: str, options: str) -> Path:
        point = tmp_path / name
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                              capture_output=True, text=True)
        assert done.returncode == 0, f"cannot mount a tmpfs (needs root): {done.stderr}"
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.mark.parametrize("case", ["through a file", "read-only file system", "full disk"])
def test_a_store_that_cannot_be_written_is_a_clear_error_at_start(tmp_path, tmpfs, case):
    if case == "through a file":
        (tmp_path / "a-file").write_text("not a directory\n")
        store = tmp_path / "a-file" / "store"  # ENOTDIR, whoever we are
    elif case == "read-only file system":
        store = tmpfs("ro", "ro,size=1m") / "store"  # EROFS, even for root
    else:
        store = tmpfs("full", "size=256k") / "store"  # ENOSPC while loading
    started = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store),
         "--port", str(free_port())], capture_output=True, text=True, timeout=120)
    assert started.returncode == 1
    assert f"cannot write the store in {store}" in started.stderr
    assert "Traceback" not in started.stderr
    assert "Listening" not in started.stderr
