"""``kg serve`` as a user runs it: a real gunicorn server on a free port, for tests."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from wikidata_sample import free_port

KG = str(Path(sys.executable).parent / "kg")


def start_server(store: Path, **env) -> tuple[str, subprocess.Popen]:
    """Start ``kg serve`` with ``KG_*`` variables; return its base URL and process."""
    port = free_port()
    environment = {**os.environ, "KG_STORE": str(store), "KG_PORT": str(port),
                   "KG_WORKERS": "1", **{key: str(value) for key, value in env.items()}}
    server = subprocess.Popen([KG, "serve"], env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
            return base, server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode()) from None
            if time.monotonic() > deadline:
                stop_server(server)
                raise RuntimeError("kg serve did not start") from None
            time.sleep(0.2)


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
