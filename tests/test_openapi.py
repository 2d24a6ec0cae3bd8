"""The OpenAPI description (src/kg/web/openapi.yaml) covers every route and is served."""

import re

import requests
import yaml
from openapi_spec_validator import validate

from kg.settings import Settings
from kg.web import create_app, openapi

#: Methods Flask adds to every route by itself.
IMPLICIT = {"HEAD", "OPTIONS"}


def app_operations(tmp_path) -> set[tuple[str, str]]:
    """(OpenAPI path, method) for every route the app registers."""
    app = create_app(Settings.load(store=tmp_path / "store"))
    operations = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        operations |= {(path, method.lower()) for method in rule.methods - IMPLICIT}
    return operations


def documented_operations() -> set[tuple[str, str]]:
    return {(path, method) for path, item in openapi.description()["paths"].items()
            for method in item if method in ("get", "post", "put", "delete", "patch")}


def test_every_route_of_the_app_is_described_and_nothing_else(tmp_path):
    served, described = app_operations(tmp_path), documented_operations()
    missing, extra = sorted(served - described), sorted(described - served)
    assert not missing, f"describe {missing} in src/kg/web/openapi.yaml"
    assert not extra, f"openapi.yaml describes {extra}, which the app does not serve"


def test_the_description_is_served_as_yaml_and_json(server):
    as_yaml = requests.get(server.url + "/openapi.yaml", timeout=10)
    as_json = requests.get(server.url + "/openapi.json", timeout=10)
    assert as_yaml.status_code == as_json.status_code == 200
    assert as_json.headers["Content-Type"].startswith("application/json")
    assert yaml.safe_load(as_yaml.text) == as_json.json() == openapi.description()
    assert as_json.json()["openapi"].startswith("3.")


def test_the_served_description_is_valid_openapi_3(server):
    """openapi-spec-validator accepts /openapi.json as served (it raises on any error)."""
    validate(requests.get(server.url + "/openapi.json", timeout=10).json())
