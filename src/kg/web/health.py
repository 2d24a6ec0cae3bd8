"""``/healthz``: 200 when the store is loaded and answers, 503 otherwise (for probes).

The answer is public, so it says what a probe or a user needs (status, store version,
quad count, when it was loaded) and nothing about the machine: the store's directory and
source files are written to the server log when a worker starts, for the operator.
"""

import logging

from flask import Blueprint, jsonify

from kg.web import store

blueprint = Blueprint("health", __name__)
log = logging.getLogger("kg.web")

#: The fields of ``GraphStore.health()`` shown to anyone.
PUBLIC = ("status", "reason", "version", "quads", "loaded_at", "updated")


@blueprint.record_once
def _log_where(state) -> None:
    health = state.app.extensions["kg.store"].health()
    log.info("store %s (%s), loaded from %s", state.app.extensions["kg.settings"].store,
             health.get("status"), ", ".join(health.get("sources", [])) or "nothing")


@blueprint.get("/healthz")
def healthz():
    health = store().health()
    public = {key: health[key] for key in PUBLIC if key in health}
    return jsonify(public), 200 if health.get("status") == "ok" else 503
