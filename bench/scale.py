"""Scale: load rate, in-process query times, start-up time and memory at growing sizes.

    .venv/bin/python bench/scale.py                       # the article, 100k, 1M and 10M triples
    .venv/bin/python bench/scale.py --sizes 100000        # one generated size only

For each size: the article's own graph (``data/triples.ttl``) or a graph of its shape
made by ``generate.py``; the wall time of ``kg load`` on it (entailment included) side by
side with ``oxigraph load`` of the same files into the same graphs, alternating (oxigraph,
ours, oxigraph, ours ...) ``--repetitions`` times, medians compared; then the steps of
``kg load`` in-process, timed one by one (parse and bulk load, the entailment rules,
compacting); a whole-graph aggregate, the provenance pattern and a point
lookup evaluated in-process as the endpoint's evaluator does (``kg.store.evaluator.
evaluate``, answers serialised as SPARQL JSON); the time from starting ``kg serve`` on
the loaded store to its first answered query; point lookups over HTTP with wrk; and the
resident memory of its processes.
"""

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
import run  # noqa: E402
import servers  # noqa: E402
import shapes  # noqa: E402

from kg.iris import DATA_GRAPH, ONTOLOGY_GRAPH  # noqa: E402
from kg.store import QueryRequest  # noqa: E402
from kg.store.evaluator import ReadOnlyHandle, evaluate  # noqa: E402
from kg.store.layout import Layout  # noqa: E402
from kg.store.rules import entail  # noqa: E402

ARTICLE = servers.ROOT / "data" / "triples.ttl"
PROVENANCE = next(s for s in shapes.SHAPES if s.name == "provenance")
POINT = next(s for s in shapes.SHAPES if s.name == "point lookup")
#: The provenance pattern written the slow way, for comparison: it starts from every statement.
AGGREGATE = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
SCAN_FIRST = shapes.Shape("provenance, statements first", PROVENANCE.template.replace(
    "?statement rdf:subject", "?statement a rdf:Statement ; rdf:subject"), PROVENANCE.resources)


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def load_phases(data_file: Path, workdir: Path) -> dict:
    """The steps of ``kg load`` (``kg.store.load.build``) one by one, in seconds."""
    store = ox.Store(str(workdir / "phases-db"))
    phases = {}
    started = time.perf_counter()
    for path in sorted((servers.ROOT / "ontology").glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE,
                        to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    store.bulk_load(path=str(data_file), format=ox.RdfFormat.TURTLE,
                    to_graph=ox.NamedNode(DATA_GRAPH))
    phases["parse + bulk load"] = time.perf_counter() - started
    _, phases["entailment rules"] = timed(entail, store, "0" * 64)
    started = time.perf_counter()
    store.optimize()
    store.flush()
    phases["optimize"] = time.perf_counter() - started
    del store
    shutil.rmtree(workdir / "phases-db")
    return phases


def oxigraph_load_s(workdir: Path, data_file: Path) -> float:
    """Seconds ``oxigraph load`` takes for what ``kg load`` reads (no entailment, no
    optimize: the reference command as an operator would run it)."""
    location = workdir / "oxigraph-load"
    started = time.perf_counter()
    for graph, paths in ((ONTOLOGY_GRAPH, sorted((servers.ROOT / "ontology").glob("*.ttl"))),
                         (DATA_GRAPH, [data_file])):
        subprocess.run([str(servers.BIN / "oxigraph"), "load", "--location", str(location),
                        "--graph", graph, "--file", *map(str, paths)],
                       check=True, capture_output=True)
    seconds = time.perf_counter() - started
    shutil.rmtree(location)
    return seconds


def kg_load_s(workdir: Path, data_file: Path) -> float:
    started = time.perf_counter()
    store_dir = servers.load_ours(workdir, data_file)
    seconds = time.perf_counter() - started
    shutil.rmtree(store_dir)
    return seconds


def load_side_by_side(workdir: Path, data_file: Path, repetitions: int) -> dict:
    ours, theirs = [], []
    for _ in range(repetitions):
        theirs.append(oxigraph_load_s(workdir, data_file))
        ours.append(kg_load_s(workdir, data_file))
    return {"kg load s": statistics.median(ours), "kg load runs": ours,
            "oxigraph load s": statistics.median(theirs), "oxigraph load runs": theirs}


def per_query_ms(store, shape: shapes.Shape, resources: list[str], count: int) -> dict:
    times = []
    for i in range(count):
        request = QueryRequest(shape.query(resources[i % len(resources)]), results_format="json")
        answer, seconds = timed(evaluate, store, request)
        if not answer.body:
            raise SystemExit(f"{shape.name}: empty answer")
        times.append(seconds * 1000)
    times.sort()
    return {"median": statistics.median(times), "p99": times[int(len(times) * 0.99) - 1],
            "mean": statistics.fmean(times)}


def first_answer_s(server: servers.Process, query: str) -> float:
    """Seconds from starting ``kg serve`` to its first 200 answer to ``query``."""
    started = time.perf_counter()
    with open(server.log, "ab") as log:
        server.process = subprocess.Popen(server.argv, stdout=log, stderr=log,
                                          start_new_session=True)
    while time.perf_counter() - started < 120:
        try:
            if run.post(server.url, query, shapes.JSON).status_code == 200:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(0.01)
    raise SystemExit(f"kg serve did not answer: {server.log.read_text()[-2000:]}")


def measure(label: str, data_file: Path, workdir: Path, args) -> dict:
    triples = sum(1 for _ in ox.parse(path=str(data_file), format=ox.RdfFormat.TURTLE))
    row = {"size": label, "triples": triples}
    row.update(load_side_by_side(workdir, data_file, args.repetitions))
    row["phases"] = load_phases(data_file, workdir)
    store_dir = servers.load_ours(workdir, data_file)
    row["quads"] = Layout(store_dir).meta()["quads"]
    store = ReadOnlyHandle(Layout(store_dir)).get()
    times = []
    for _ in range(3):
        answer, seconds = timed(evaluate, store, QueryRequest(AGGREGATE, results_format="json"))
        times.append(seconds)
    row["aggregate s"] = statistics.median(times)
    found = {}
    for shape in (POINT, PROVENANCE):
        rows = store.query(shapes.PREFIXES + shape.resources, use_default_graph_as_union=True)
        found[shape.name] = [s["r"].value for s in rows]
    rng = random.Random(1)
    for name in found:
        rng.shuffle(found[name])
    row["point lookup ms"] = per_query_ms(store, POINT, found["point lookup"], args.queries)
    row["provenance ms"] = per_query_ms(store, PROVENANCE, found["provenance"], args.queries)
    row["provenance, statements first ms"] = per_query_ms(
        store, SCAN_FIRST, found["provenance"], max(3, args.queries // 100))
    del store
    server = servers.kg_serve(store_dir, workdir, data_file)
    starts = []
    for _ in range(args.starts):
        starts.append(first_answer_s(server, POINT.query(found["point lookup"][0])))
        server.stop()
    row["first answer s"] = statistics.median(starts)
    server.start()
    try:
        file = run.request_file(workdir / "point.txt", POINT,
                                [POINT.query(r) for r in found["point lookup"][:1000]])
        http = run.wrk(run.ensure_wrk(), server.url, file, "unique", 8, 2, args.duration)
        row["point lookup req/s (HTTP, 8 conns)"] = http["rps"]
        row["HTTP failures"] = {k: http[k] for k in ("status_errors", "connect_errors",
                                                     "read_errors", "write_errors", "timeouts")
                                if http[k]}
        row["rss MB"] = servers.rss_mb(server.process.pid)
    finally:
        server.stop()
    return row


def report(rows: list[dict]) -> str:
    lines = ["| size | triples | `kg load` s (entailment included) | `oxigraph load` s "
             "| kg / oxigraph | triples/s | bulk load s | entailment s | optimize s "
             "| `COUNT … GROUP BY ?p` s | point lookup ms (p99) | provenance ms (p99) "
             "| provenance, statements first ms | point lookups req/s over HTTP "
             "| `kg serve` to first answer s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        p = r["phases"]
        lines.append(
            f"| {r['size']} | {r['triples']:,} | {r['kg load s']:.1f} "
            f"| {r['oxigraph load s']:.1f} | {r['kg load s'] / r['oxigraph load s']:.2f}× "
            f"| {r['triples'] / r['kg load s']:,.0f} | {p['parse + bulk load']:.1f} "
            f"| {p['entailment rules']:.1f} | {p['optimize']:.1f} | {r['aggregate s']:.2f} "
            f"| {r['point lookup ms']['median']:.2f} ({r['point lookup ms']['p99']:.2f}) "
            f"| {r['provenance ms']['median']:.2f} ({r['provenance ms']['p99']:.2f}) "
            f"| {r['provenance, statements first ms']['median']:.1f} "
            f"| {r['point lookup req/s (HTTP, 8 conns)']:,.0f} | {r['first answer s']:.2f} |")
    lines.append("")
    for r in rows:
        lines.append(f"- {r['size']}: {r['quads']:,} quads in the store; `kg load` runs "
                     + ", ".join(f"{x:.1f}" for x in r["kg load runs"]) + " s; `oxigraph load` "
                     "runs " + ", ".join(f"{x:.1f}" for x in r["oxigraph load runs"]) + " s")
        if r["HTTP failures"]:
            lines.append(f"- {r['size']}: failed requests in the HTTP run (non-2xx or socket "
                         f"errors): {r['HTTP failures']}")
        lines.append(f"- {r['size']}: resident memory of `kg serve` after the HTTP run (MB): "
                     + "; ".join(f"{role} {', '.join(map(str, mbs))}"
                               for role, mbs in r["rss MB"].items()))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*",
                        default=[100_000, 1_000_000, 10_000_000],
                        help="generated graph sizes in triples (the article is always measured)")
    parser.add_argument("--queries", type=int, default=1000,
                        help="in-process queries per shape and size")
    parser.add_argument("--repetitions", type=int, default=3,
                        help="runs of kg load and of oxigraph load per size (medians compared)")
    parser.add_argument("--starts", type=int, default=3, help="timed starts of kg serve")
    parser.add_argument("--duration", type=int, default=3, help="seconds of wrk per size")
    parser.add_argument("--out", type=Path, default=servers.ROOT / "var" / "bench" / "scale")
    args = parser.parse_args(argv)
    rows = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    sources = [("article", ARTICLE)]
    for size in args.sizes:
        path = args.out.parent / f"generated-{size}.ttl"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            generate.main(["--triples", str(size), "--out", str(path)])
        sources.append((f"{size:,}", path))
    for label, path in sources:
        with tempfile.TemporaryDirectory(prefix="kg-scale-") as workdir:
            rows.append(measure(label, path, Path(workdir), args))
            print(report(rows[-1:]).splitlines()[2], file=sys.stderr, flush=True)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    text = (f"Measured {started} with `python bench/scale.py {' '.join(argv or sys.argv[1:])}`"
            f"; load average (1, 5, 15 min) {' '.join(load_before)} before, "
            f"{' '.join(load_after)} after.\n\n" + report(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
