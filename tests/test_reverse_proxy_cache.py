"""A real cache in front: Debian's varnish serves repeated queries, and revalidates them
with our ETags once their max-age is over; after an update it gets the new answer.

``make test`` installs varnish (``make varnish``); varnish runs with the configuration the
README shows (``deploy/varnish.vcl``), pointed at the test's server.
"""

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from conftest import TOKEN, auth, free_port

pytestmark = pytest.mark.slow

VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VCL = Path(__file__).parents[1] / "deploy" / "varnish.vcl"
QUERY = "SELECT ?o WHERE { <http://example.org/cached> <http://example.org/p> ?o }"
MAX_AGE = 2


@pytest.fixture
def varnish_in_front(start_server, tmp_path):
    """(varnish URL, our server): varnish as the README configures it, on free ports."""
    if not Path(VARNISHD).exists():
        pytest.fail("varnishd is missing: run `make varnish` (Debian's varnish)")
    server = start_server(env={"KG_UPDATE_TOKEN": TOKEN, "KG_HTTP_MAX_AGE": str(MAX_AGE),
                               "KG_TRUSTED_PROXIES": "127.0.0.1"})
    port = free_port()
    vcl = tmp_path / "varnish.vcl"
    shipped = VCL.read_text()
    assert '.port = "8000";' in shipped
    vcl.write_text(shipped.replace('.port = "8000";', f'.port = "{server.port}";'))
    log = open(tmp_path / "varnish.log", "wb")
    # -j none: varnishd stays the test's user, which can read the test's private files.
    varnish = subprocess.Popen(
        [VARNISHD, "-F", "-j", "none", "-a", f"127.0.0.1:{port}", "-f", str(vcl),
         "-n", str(tmp_path / "varnish"), "-s", "malloc,32m"],
        stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url + "/healthz", timeout=1)
            break
        except requests.RequestException:
            if time.monotonic() > deadline or varnish.poll() is not None:
                raise RuntimeError((tmp_path / "varnish.log").read_text()) from None
            time.sleep(0.1)
    yield url, server
    varnish.send_signal(signal.SIGTERM)
    varnish.wait(timeout=20)
    log.close()


def ask(url: str) -> requests.Response:
    response = requests.get(url + "/sparql", params={"query": QUERY}, timeout=30,
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response


def values(response: requests.Response) -> list[str]:
    return [row["o"]["value"] for row in response.json()["results"]["bindings"]]


def backend(server, status: int) -> int:
    """How many GET /sparql requests reached our server and were answered ``status``."""
    return server.log.read_text().count(f"GET /sparql {status}")


def test_varnish_serves_repeated_queries_and_revalidates_after_an_update(varnish_in_front):
    url, server = varnish_in_front
    first = ask(url)
    assert values(first) == []
    repeated = [ask(url) for _ in range(5)]
    assert all(values(r) == [] for r in repeated)
    assert backend(server, 200) == 1  # the cache answered the five repeats itself
    assert all(len(r.headers["X-Varnish"].split()) == 2 for r in repeated)  # cache hits

    time.sleep(MAX_AGE + 1)  # expired: varnish asks our server whether its copy is current
    assert values(ask(url)) == []
    assert backend(server, 304) == 1 and backend(server, 200) == 1

    update = requests.post(server.url + "/update", headers=auth(), timeout=30, data={
        "update": "INSERT DATA { <http://example.org/cached> <http://example.org/p> 7 }"})
    assert update.status_code == 204
    time.sleep(MAX_AGE + 1)
    assert values(ask(url)) == ["7"]  # revalidated: not 304, the new answer
    assert backend(server, 200) == 2 and backend(server, 304) == 1
