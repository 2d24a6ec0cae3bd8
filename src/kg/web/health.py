"""``/healthz``: 200 when the store is loaded and answers, 503 otherwise (for probes)."""

from flask import Blueprint, jsonify

from kg.web import store

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    health = store().health()
    return jsonify(health), 200 if health.get("status") == "ok" else 503
