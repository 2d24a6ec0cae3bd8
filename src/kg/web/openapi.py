"""``/openapi.yaml`` and ``/openapi.json``: the OpenAPI 3 description of this HTTP API.

The description is one hand-kept file, ``openapi.yaml`` beside this module, so that
clients and tools (schemathesis in ``tests/robustness``) read the routes, parameters and
answers from one place; ``tests/test_openapi.py`` fails when a route of the app is
missing from it. The JSON form is the same document, parsed once per process.
"""

import functools
from pathlib import Path

import yaml
from flask import Blueprint, Response, jsonify

blueprint = Blueprint("openapi", __name__)

DESCRIPTION = Path(__file__).with_name("openapi.yaml")


@functools.cache
def description() -> dict:
    """The OpenAPI document as a dict."""
    return yaml.safe_load(DESCRIPTION.read_text(encoding="utf-8"))


@blueprint.get("/openapi.yaml")
def as_yaml():
    return Response(DESCRIPTION.read_bytes(), content_type="application/yaml; charset=utf-8")


@blueprint.get("/openapi.json")
def as_json():
    return jsonify(description())
