"""The greedy-client scenario: one client keeps 8 runaway queries in flight, another looks
things up. How much of the second client's work is answered, and how fast?

The greedy client (8 threads, from 127.0.0.1) sends a cartesian product of the whole
store again as soon as each answer arrives; after a 429 it waits 0.1 s (it ignores
``Retry-After``, but does not spin). The second client (``LOOKUP_THREADS`` threads, from
127.0.0.2: the loopback network answers from any 127.x address, so the server sees two
clients) sends point lookups back to back, two at a time (as many as one client may have
evaluating at once by default, ``KG_CLIENT_QUERIES``; a third would get 429 by design),
a different resource and a unique text each time, so the answer cache never helps. Only
our server is measured: ``oxigraph serve`` has no time limit here (see ``servers.py``), so
its runaways would never end.
"""

import http.client
import statistics
import threading
import time
from collections import Counter
from urllib.parse import urlencode, urlsplit

import shapes

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
GREEDY_THREADS = 8
LOOKUP_THREADS = 2


def _post(url: str, query: str, source: str, timeout: float) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                            source_address=(source, 0))
    try:
        connection.request("POST", parts.path, urlencode({"query": query}), {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": shapes.JSON})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def run(url: str, resources: list[str], seconds: float) -> dict:
    """Both clients for ``seconds``; the second client's statuses and latencies."""
    stop = threading.Event()
    greedy_statuses: Counter = Counter()
    lookups: list[tuple[int, float]] = []
    lock = threading.Lock()

    def greedy():
        while not stop.is_set():
            status = _post(url, RUNAWAY, "127.0.0.1", timeout=120)
            with lock:
                greedy_statuses[status] += 1
            if status == 429:
                time.sleep(0.1)

    def lookup(offset: int):
        n = offset
        while not stop.is_set():
            query = shapes.SHAPES[0].query(resources[n % len(resources)]) + f"\n# greedy-{n}"
            n += LOOKUP_THREADS
            started = time.monotonic()
            status = _post(url, query, "127.0.0.2", timeout=30)
            with lock:
                lookups.append((status, time.monotonic() - started))

    threads = [threading.Thread(target=greedy, daemon=True) for _ in range(GREEDY_THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(2)  # the runaways are evaluating before the lookups start
    threads += [threading.Thread(target=lookup, args=(i,), daemon=True)
                for i in range(LOOKUP_THREADS)]
    for thread in threads[GREEDY_THREADS:]:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads[GREEDY_THREADS:]:
        thread.join()
    latencies = sorted(seconds for _, seconds in lookups)
    statuses = Counter(status for status, _ in lookups)
    return {
        "seconds": seconds,
        "lookups": len(lookups),
        "lookup_statuses": dict(statuses),
        "share_200": statuses[200] / len(lookups) if lookups else 0.0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else None,
        "greedy_statuses": dict(greedy_statuses),
    }


def report(result: dict) -> list[str]:
    """The scenario's lines for the benchmark's report, with its target."""
    share, p95 = result["share_200"], result["p95_ms"]
    return [
        f"Greedy client ({GREEDY_THREADS} runaway queries kept in flight from one address) "
        f"for {result['seconds']:g} s; a second client's point lookups ({LOOKUP_THREADS} "
        f"threads, back to back): {result['lookups']} sent, statuses "
        f"{result['lookup_statuses']}, p50 {result['p50_ms']:.1f} ms, p95 {p95:.1f} ms; the "
        f"greedy client's answers by status: {result['greedy_statuses']} (0 = no answer yet "
        "when the run stopped, or a dropped connection).",
        f"- {'met' if share >= 0.95 else 'MISSED'}: second client's point lookups >= 95 % "
        f"answered 200 while a greedy client keeps 8 runaways in flight: {share:.1%}",
        f"- {'met' if p95 < 1000 else 'MISSED'}: their p95 under 1 s: {p95:.0f} ms",
    ]
