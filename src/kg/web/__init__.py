"""The Flask application: one factory, and one blueprint per concern.

A blueprint is a module exposing ``blueprint``; registering one is one line in
``BLUEPRINTS``. Views reach the settings and the store with ``settings()`` and
``store()``, and answer errors by raising ``kg.store.StoreError`` or
``werkzeug.exceptions.HTTPException`` (``kg.web.http`` turns both into short
plain-text answers, or a page for a browser when the error passes with time). A repeated
identical query to ``/sparql`` is answered before routing (``kg.web.replay``).
"""

import importlib

from flask import Flask, current_app

from kg.settings import Settings
from kg.store import GraphStore, open_store
from kg.web import http, replay
from kg.web.clients import Ledger

BLUEPRINTS = (
    "kg.web.health",
    "kg.web.sparql",
    "kg.web.query_page",
    "kg.web.reconcile",
    "kg.web.dumps",
    "kg.web.void",
    "kg.web.resources",
    "kg.web.landing",
    "kg.web.article",
    "kg.web.search_page",
    "kg.web.figures",
    "kg.web.class_list",
    "kg.web.unlinked",
    "kg.web.not_found",
    "kg.web.openapi",
)


def create_app(settings: Settings | None = None, graph_store: GraphStore | None = None,
               ledger: Ledger | None = None) -> Flask:
    """The app; ``ledger`` holds the clients' fair shares, shared by every HTTP worker
    when the server made it before forking them (one of its own otherwise)."""
    settings = settings or Settings.load()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.extensions["kg.settings"] = settings
    app.extensions["kg.store"] = graph_store or open_store(settings)
    http.install(app, settings,
                 ledger or Ledger(settings.client_queries, settings.client_query_time))
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).blueprint)
    app.wsgi_app = replay.Replay(app.wsgi_app, app.extensions["kg.store"])
    return app


def settings() -> Settings:
    return current_app.extensions["kg.settings"]


def store() -> GraphStore:
    return current_app.extensions["kg.store"]
