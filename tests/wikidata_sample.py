"""A local ``oxigraph serve`` holding tests/fixtures/wikidata-sample.ttl: Wikidata for tests.

The machine running the tests has no internet, and the tests should not depend on
what Wikidata says today; this endpoint answers the same SPARQL as the Wikidata
Query Service does for the few items of the sample.
"""

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port

SAMPLE = Path(__file__).parent / "fixtures" / "wikidata-sample.ttl"


def _oxigraph() -> str:
    # The `oxigraph` CLI (PyPI package, pinned in the test extras) sits beside python.
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@pytest.fixture(scope="module")
def sample_endpoint(tmp_path_factory):
    """The SPARQL query URL of a read-only oxigraph server loaded with the sample."""
    location = tmp_path_factory.mktemp("wikidata-sample")
    subprocess.run([_oxigraph(), "load", "--location", str(location), "--file", str(SAMPLE)],
                   check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([_oxigraph(), "serve-read-only", "--location", str(location),
                               "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("oxigraph serve did not start") from None
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)
