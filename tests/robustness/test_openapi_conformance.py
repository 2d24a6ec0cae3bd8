"""schemathesis against the OpenAPI description the server publishes (/openapi.json).

schemathesis (its command line, as a user would run it) reads the description, generates
requests for every operation, valid and invalid, sends them to a real ``kg serve`` (with
an update token, on its own store) and checks every answer: never a server error, and
status codes, content types, headers and JSON bodies as described.

Left out: the ``positive_data_acceptance`` check. A parameter that is "a string" in the
description must still be SPARQL (or a JSON batch, an absolute IRI) to be accepted, and
JSON Schema cannot say that, so schema-valid requests rightly get 400.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TOKEN

from .conftest import ARTIFACTS

pytestmark = pytest.mark.slow

#: Generated requests per operation and phase.
EXAMPLES = 30


def test_schemathesis_finds_no_server_error_and_no_departure_from_the_description(
        sandbox, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
           "PYTHONPATH": str(Path(__file__).parent)}
    run = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "run",
         sandbox.url + "/openapi.json", "--url", sandbox.url,
         "--checks", "all", "--exclude-checks", "positive_data_acceptance",
         "--max-examples", str(EXAMPLES), "--header", f"Authorization: Bearer {TOKEN}",
         "--request-timeout", "60", "--no-color",
         "--report", "junit", "--report-junit-path", str(ARTIFACTS / "schemathesis.xml")],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    summary = run.stdout[run.stdout.rfind("SUMMARY"):]
    print(summary)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
