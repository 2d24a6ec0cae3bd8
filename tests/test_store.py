"""The store on disk: built aside and swapped, reloaded when its sources change."""

import os
import signal
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
import requests
from conftest import copy_sources

from kg.settings import Settings
from kg.store.layout import Layout
from kg.store.load import build, is_stale


def settings_for(flags: dict) -> Settings:
    return Settings.load(store=flags["--store"], ontology_dir=flags["--ontology-dir"],
                         data_file=flags["--data-file"])


def kg(*argv, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, argv)], capture_output=True,
                          text=True, **kwargs)


def test_load_publishes_a_new_version_and_keeps_one_previous(tmp_path):
    settings = settings_for(copy_sources(tmp_path))
    versions = [build(settings)["version"] for _ in range(3)]
    layout = Layout(settings.store)
    assert layout.current_version().name == versions[-1]
    assert sorted(p.name for p in layout.versions.iterdir()) == versions[1:]
    assert not is_stale(settings)


def test_the_store_is_stale_when_a_source_changes_not_when_touched(tmp_path):
    settings = settings_for(copy_sources(tmp_path))
    build(settings)
    os.utime(settings.data_file, (0, 0))
    assert not is_stale(settings)
    with open(settings.data_file, "a") as data:
        data.write("\nkgr:Extra a kg:Event .\n")
    assert is_stale(settings)


@pytest.mark.slow
def test_a_killed_load_leaves_the_previous_store_serving(start_server, tmp_path):
    server = start_server()
    layout = Layout(server.flags["--store"])
    before = layout.current_version()
    quads_before = layout.meta()["quads"]
    # A data file big enough that loading it takes many seconds.
    big = tmp_path / "big.ttl"
    with open(big, "w") as out:
        out.write((tmp_path / "src" / "triples.ttl").read_text())
        for i in range(200_000):
            out.write(f"kgr:bulk-{i} kg:about kgr:SovietInvasionOfPoland .\n")
    load = subprocess.Popen([sys.executable, "-m", "kg.cli", "load", "--store",
                             server.flags["--store"], "--ontology-dir",
                             server.flags["--ontology-dir"], "--data-file", big],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not any(layout.building.glob("*/db/*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1)
    assert load.poll() is None, "the load finished before it could be killed"
    load.send_signal(signal.SIGKILL)
    load.wait()
    assert any(layout.building.iterdir())  # the half-built version is left aside ...
    assert layout.current_version() == before  # ... and never published
    # Nothing corrupt: the previous version opens and holds exactly the quads it had.
    assert len(ox.Store.read_only(str(before / "db"))) == quads_before
    assert server.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") \
        == [{"n": str(quads_before)}]
    assert server.ask("ASK { kgr:SovietInvasionOfPoland kg:startDate ?d }")
    assert not server.ask("ASK { kgr:bulk-1 ?p ?o }")
    assert requests.get(server.url + "/healthz").json()["version"] == before.name
    # The next load cleans up after the killed one.
    done = kg("load", *[str(x) for pair in server.flags.items() for x in pair])
    assert done.returncode == 0, done.stderr
    assert not any(layout.building.iterdir())


@pytest.mark.slow
def test_serve_loads_when_the_sources_changed_and_only_then(start_server):
    first = start_server()
    version = requests.get(first.url + "/healthz").json()["version"]
    first.stop()
    again = start_server(first.flags)
    assert requests.get(again.url + "/healthz").json()["version"] == version
    again.stop()
    with open(first.flags["--data-file"], "a") as data:
        data.write("\nkgr:Extra a kg:Conference .\n")
    changed = start_server(first.flags)
    assert requests.get(changed.url + "/healthz").json()["version"] != version
    assert changed.ask("ASK { kgr:Extra a kg:Event }")


@pytest.mark.slow
def test_serves_the_ontology_alone(start_server):
    server = start_server(data=False)
    assert server.ask("ASK { kg:Invasion rdfs:subClassOf kg:MilitaryOperation }")
    assert server.select("SELECT ?e WHERE { ?e a kg:Event }") == []


@pytest.mark.slow
def test_serves_an_empty_store_when_there_are_no_sources(start_server):
    server = start_server(ontology=False, data=False)
    assert not server.ask("ASK { ?s a kg:Event }")
    assert requests.get(server.url + "/healthz").status_code == 200


def test_kg_query_prints_results_from_the_store(tmp_path):
    flags = copy_sources(tmp_path)
    build(settings_for(flags))
    result = kg("query", "--store", flags["--store"],
                "SELECT ?d WHERE { kgr:SovietInvasionOfPoland kg:startDate ?d }")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["?d", '"1939-09-17"^^<http://www.w3.org/2001/XMLSchema#date>']
    csv = kg("query", "--store", flags["--store"], "--format", "csv",
             "SELECT ?e WHERE { ?e a kg:Conference }")
    assert csv.stdout.split() == ["e", "https://w3id.org/kresy1939/resource/YaltaConference"]
    bad = kg("query", "--store", flags["--store"], "SELECT * WHERE { ?s ?p }")
    assert bad.returncode == 1 and "error at 1:" in bad.stderr and "Traceback" not in bad.stderr
