"""Benchmark our SPARQL endpoint against ``oxigraph serve`` on the same files, with wrk.

    .venv/bin/python bench/run.py                      # about 5 minutes
    .venv/bin/python bench/run.py --duration 10 --repetitions 5

Both servers run on free loopback ports (see ``servers.py``). For every query shape of
``shapes.py`` in two variants (fixed: the same query every time; varied: another resource
and a unique text on every request) and each connection count, wrk drives oxigraph, then
ours, then oxigraph again ... (A B A B), ``--repetitions`` times for ``--duration``
seconds each, after a short warm-up. Before measuring, each shape's answers from both
servers are checked to be non-empty and of the same size. The table (median req/s with
min-max, the ratio ours / oxigraph, median p50 and p99 latency) is printed and written
to ``--out``; the run fails (exit 1) if any request got a non-2xx answer or a socket error.
Last, the greedy-client scenario (``greedy.py``) runs on our server alone.
"""

import argparse
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import greedy  # noqa: E402
import servers  # noqa: E402
import shapes  # noqa: E402

HERE = Path(__file__).resolve().parent
LUA = HERE / "request.lua"


def ensure_wrk() -> str:
    """wrk from Debian; installed with apt-get when missing and we are root."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() != 0:
        sys.exit("bench needs wrk: run `sudo apt-get install -y wrk`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk")


def post(url: str, query: str, accept: str) -> requests.Response:
    return requests.post(url, data={"query": query}, headers={"Accept": accept}, timeout=60)


def resources(server: servers.Process, shape: shapes.Shape) -> list[str]:
    response = post(server.url, shapes.PREFIXES + shape.resources, shapes.JSON)
    response.raise_for_status()
    found = [row["r"]["value"] for row in response.json()["results"]["bindings"]]
    if not found:
        raise SystemExit(f"{shape.name}: no resources to vary over")
    return found


def check(shape: shapes.Shape, queries: list[str], pair: list[servers.Process]) -> int:
    """Both servers give the same non-empty answer size to each query; returns the first's."""
    sizes = []
    for query in queries:
        counts = []
        for server in pair:
            response = post(server.url, query, shape.accept)
            counts.append(shapes.count_answer(shape, response.status_code,
                                              response.headers.get("Content-Type", ""),
                                              response.content))
        if counts[0] != counts[1] or counts[0] == 0:
            raise SystemExit(f"{shape.name}: answer sizes differ or are empty: {counts}\n{query}")
        sizes.append(counts[0])
    return sizes[0]


def check_quads(server: servers.Process) -> int:
    response = post(server.url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                    shapes.JSON)
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def request_file(path: Path, shape: shapes.Shape, queries: list[str]) -> Path:
    lines = [f"{shape.accept}\t{urllib.parse.urlencode({'query': q})}" for q in queries]
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(binary: str, url: str, file: Path, mode: str, connections: int, threads: int,
        duration: int) -> dict:
    argv = [binary, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s",
            "--timeout", "10s", "-s", str(LUA), url, "--", str(file), mode]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed on {url}: {done.stderr.strip()}")
    output = done.stdout
    result = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("status_errors", "connect_errors", "read_errors",
                                                "write_errors", "timeouts"))
    return result


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gb": round(int(mem) / 2**20, 1),
            "loadavg_before": os.getloadavg()[0]}


def summarise(runs: list[dict]) -> dict:
    rps = [r["rps"] for r in runs]
    return {"median": statistics.median(rps), "min": min(rps), "max": max(rps),
            "p50_ms": statistics.median(r["p50_us"] for r in runs) / 1000,
            "p99_ms": statistics.median(r["p99_us"] for r in runs) / 1000,
            "requests": sum(r["requests"] for r in runs),
            "errors": sum(r["errors"] for r in runs)}


def table(cells: list[dict]) -> str:
    rows = ["| shape | variant | conns | oxigraph serve req/s (min–max) | ours req/s (min–max) "
            "| ours / oxigraph | p50 ms ox / ours | p99 ms ox / ours |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for c in cells:
        ox, us = c["oxigraph"], c["ours"]
        rows.append(
            f"| {c['shape']} | {c['variant']} | {c['connections']} "
            f"| {ox['median']:,.0f} ({ox['min']:,.0f}–{ox['max']:,.0f}) "
            f"| {us['median']:,.0f} ({us['min']:,.0f}–{us['max']:,.0f}) "
            f"| {c['ratio']:.2f}× | {ox['p50_ms']:.1f} / {us['p50_ms']:.1f} "
            f"| {ox['p99_ms']:.1f} / {us['p99_ms']:.1f} |")
    return "\n".join(rows)


def targets(cells: list[dict], connections: int) -> list[str]:
    """The targets of the request-path issue, each with the measured figure and whether it
    is met."""
    def cell(shape, variant):
        return next((c for c in cells if c["shape"] == shape and c["variant"] == variant
                     and c["connections"] == connections), None)

    lines = []

    def target(text, value, met):
        lines.append(f"- {'met' if met else 'MISSED'}: {text}: {value}")

    for shape in ("point lookup", "CONSTRUCT"):
        if c := cell(shape, "varied"):
            target(f"{shape}, a different resource per request, >= 0.5× oxigraph",
                   f"{c['ratio']:.2f}×", c["ratio"] >= 0.5)
    heavy = [c for s in ("provenance", "join + ORDER BY", "aggregate")
             if (c := cell(s, "varied"))]
    if heavy:
        mean = math.prod(c["ratio"] for c in heavy) ** (1 / len(heavy))
        target("geometric mean of provenance, join + ORDER BY, aggregate (unique texts) "
               ">= 0.9×", f"{mean:.2f}× ("
               + ", ".join(f"{c['shape']} {c['ratio']:.2f}×" for c in heavy) + ")", mean >= 0.9)
    for c in cells:
        if c["variant"] == "fixed" and c["connections"] == connections:
            target(f"{c['shape']} repeated verbatim (cache) >= 1.0×", f"{c['ratio']:.2f}×",
                   c["ratio"] >= 1.0)
    for variant in ("varied", "fixed"):
        if c := cell("point lookup", variant):
            target(f"point lookup ({variant}) p99 <= 10 ms at {connections} connections",
                   f"{c['ours']['p99_ms']:.1f} ms", c["ours"]["p99_ms"] <= 10)
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=3,
                        help="seconds per measured run (default 3)")
    parser.add_argument("--repetitions", type=int, default=3,
                        help="measured runs per server and cell, interleaved (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per cell")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--heavy-connections", type=int, default=32,
                        help="connection count for the heavier shapes' varied variant")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--shape", action="append", help="only these shapes (repeatable)")
    parser.add_argument("--greedy-seconds", type=float, default=20,
                        help="seconds of the greedy-client scenario (0: skip it)")
    parser.add_argument("--out", type=Path, default=HERE.parent / "var" / "bench" / "latest",
                        help="write <out>.md and <out>.json (default var/bench/latest)")
    args = parser.parse_args(argv)

    binary = ensure_wrk()
    chosen = [s for s in shapes.SHAPES if not args.shape or s.name in args.shape]
    info = machine()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    print(f"loading both stores in {workdir} ...", file=sys.stderr)
    our_store = servers.load_ours(workdir)
    pair = [servers.oxigraph_serve(servers.load_oxigraph(workdir, our_store), workdir),
            servers.kg_serve(our_store, workdir)]
    cells = []
    try:
        for server in pair:
            server.start()
        quads = [check_quads(server) for server in pair]
        if quads[0] != quads[1]:
            raise SystemExit(f"the stores differ: {quads} quads (oxigraph's, ours)")
        print(f"both stores hold {quads[0]} quads", file=sys.stderr)
        plan = []
        for shape in chosen:
            varied = [shape.query(r) for r in resources(pair[1], shape)]
            size = check(shape, [shape.query(), *varied[:5]], pair)
            fixed_file = request_file(workdir / f"{shape.slug}-fixed.txt", shape, [shape.query()])
            varied_file = request_file(workdir / f"{shape.slug}-varied.txt", shape, varied)
            print(f"{shape.name}: {size} rows for the fixed query, {len(varied)} resources "
                  f"to vary over; answers agree", file=sys.stderr)
            plan.append((shape, "fixed", fixed_file, "same", args.connections))
            plan.append((shape, "varied", varied_file, "unique", args.connections))
            if shape.heavy and args.heavy_connections:
                plan.append((shape, "varied", varied_file, "unique", args.heavy_connections))
        for shape, variant, file, mode, conns in plan:
            runs = {"oxigraph": [], "ours": []}
            for server in pair:
                wrk(binary, server.url, file, mode, conns, args.threads, args.warmup)
            for _ in range(args.repetitions):
                for key, server in zip(runs, pair, strict=True):
                    runs[key].append(wrk(binary, server.url, file, mode, conns, args.threads,
                                         args.duration))
            cell = {"shape": shape.name, "variant": variant, "connections": conns,
                    **{key: summarise(value) for key, value in runs.items()}}
            cell["ratio"] = cell["ours"]["median"] / cell["oxigraph"]["median"]
            cells.append(cell)
            print(table([cell]).splitlines()[-1], file=sys.stderr, flush=True)
        memory = servers.rss_mb(pair[1].process.pid)
        crowded = None
        if args.greedy_seconds:
            print("greedy-client scenario ...", file=sys.stderr, flush=True)
            crowded = greedy.run(pair[1].url, resources(pair[1], shapes.SHAPES[0]),
                                 args.greedy_seconds)
    finally:
        for server in pair:
            server.stop()
    info["loadavg_after"] = os.getloadavg()[0]
    errors = sum(c[k]["errors"] for c in cells for k in ("oxigraph", "ours"))
    command = shlex.join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    report = "\n".join([
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command.strip()}` "
        f"({args.repetitions} × {args.duration:g} s per server and cell, interleaved, "
        f"wrk -t{args.threads}); {time.monotonic() - started:.0f} s in all.",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory_gb']} GB; load average "
        f"{info['loadavg_before']:.1f} before, {info['loadavg_after']:.1f} after.",
        "",
        table(cells),
        "",
        *targets(cells, args.connections),
        "",
        *(greedy.report(crowded) + [""] if crowded else []),
        "Resident memory of `kg serve` after the run (MB): "
        + "; ".join(f"{role} {', '.join(map(str, mbs))}" for role, mbs in memory.items()),
        f"Non-2xx answers and socket errors: {errors}.",
    ])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(report + "\n")
    args.out.with_suffix(".json").write_text(json.dumps(
        {"machine": info, "command": command, "cells": cells, "memory_mb": memory,
         "greedy": crowded}, indent=2))
    print(report)
    shutil.rmtree(workdir, ignore_errors=True)
    if errors:
        print(f"FAILED: {errors} requests got a non-2xx answer or a socket error",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
