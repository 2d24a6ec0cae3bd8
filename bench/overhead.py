"""Where the time of one cheap query goes in our server, layer by layer, in one process.

    .venv/bin/python bench/overhead.py

Times a point lookup (a different resource each time, so the answer cache never helps)
and the provenance pattern: evaluated in-process (``evaluate``), through an evaluator
process (``EvaluatorPool.run``: the pipe and pickling), and through the whole Flask
application without gunicorn (Werkzeug's test client: routing, parameter parsing, the
SERVICE guard, CORS, logging). What the HTTP benchmark measures beyond the last figure
is gunicorn, the kernel's loopback and wrk itself.
"""

import itertools
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import servers  # noqa: E402
import shapes  # noqa: E402

from kg.settings import Settings  # noqa: E402
from kg.store import QueryRequest  # noqa: E402
from kg.store.evaluator import EvaluatorPool, ReadOnlyHandle, evaluate  # noqa: E402
from kg.store.layout import Layout  # noqa: E402
from kg.web import create_app  # noqa: E402


def per_call_us(function, count: int) -> float:
    """Median of five rounds of ``count`` calls, in microseconds per call."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(count):
            function()
        rounds.append((time.perf_counter() - started) / count * 1e6)
    return statistics.median(rounds)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kg-overhead-") as workdir:
        store_dir = servers.load_ours(Path(workdir))
        settings = Settings.load(store=store_dir)
        store = ReadOnlyHandle(Layout(store_dir)).get()
        pool = EvaluatorPool(store_dir, 1, 30, 1, 2048)
        app = create_app(settings)
        logging.getLogger("kg.web").setLevel(logging.INFO)
        logging.getLogger("kg.web").addHandler(logging.NullHandler())
        client = app.test_client()
        print("| shape | evaluate in-process µs | + evaluator process µs | + Flask app µs |")
        print("|---|---:|---:|---:|")
        for shape in (shapes.SHAPES[0], shapes.SHAPES[2]):
            rows = store.query(shapes.PREFIXES + shape.resources, use_default_graph_as_union=True)
            queries = itertools.cycle([shape.query(row["r"].value) for row in rows])
            counter = itertools.count()

            def request(queries=queries, counter=counter):
                # A unique text each time, as the benchmark's varied variant sends.
                return QueryRequest(f"{next(queries)}\n# {next(counter)}",
                                    results_format="json", max_rows=settings.max_rows)

            direct = per_call_us(lambda: evaluate(store, request()), 300)
            piped = per_call_us(lambda: pool.run(request()), 300)
            flask = per_call_us(lambda: client.post(
                "/sparql", data={"query": request().query},
                headers={"Accept": shapes.JSON}), 300)
            print(f"| {shape.name} | {direct:.0f} | {piped:.0f} | {flask:.0f} |")
        pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
