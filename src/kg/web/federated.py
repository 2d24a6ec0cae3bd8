"""SERVICE to allowed endpoints, with the limits the operator set (KG_SERVICE_*).

``kg.web.guard`` refuses a query naming an endpoint that is not allowed. For the
allowed ones, :func:`prepare` routes each SERVICE through this worker's gateway
(``kg.wikidata.federation``), which keeps the timeout, the size cap and the
project's User-Agent; the guard reads the routed query, so a SERVICE the routing
missed is refused rather than sent without limits. :func:`remote_failures`
turns a failed remote call into 502 (error, too large) or 504 (timeout).
"""

import threading
from contextlib import contextmanager

from flask import current_app

from kg.store import StoreError
from kg.web import guard, settings
from kg.wikidata import remote
from kg.wikidata.federation import Federation, Prepared, ServiceRefused

_lock = threading.Lock()


class ServiceFailed(StoreError):
    """An allowed SERVICE endpoint failed, answered too much, or too late."""

    def __init__(self, error: remote.RemoteError):
        super().__init__(f"SERVICE call failed: {error}")
        self.status = error.status


def _federation() -> Federation:
    with _lock:
        federation = current_app.extensions.get("kg.federation")
        if federation is None:
            s = settings()
            federation = Federation(s.allowed_services, remote.Limits(
                timeout=s.service_timeout, max_bytes=s.service_max_bytes))
            current_app.extensions["kg.federation"] = federation
        return federation


def prepare(query: str) -> Prepared:
    """The query as the store should run it; refused (400) when it names other endpoints.

    The guard parses only the routed query (one parse, ~0.1 s with rdflib): there every
    SERVICE must name a gateway route, so an endpoint that is not allowed, or an allowed
    one the routing missed, is refused either way.
    """
    allowed = settings().allowed_services
    if not allowed:
        guard.check_query(query, allowed)
        return Prepared(query)
    try:
        prepared = _federation().prepare(query)
    except ServiceRefused as error:
        raise guard.Refused(str(error)) from None
    guard.check_query(prepared.query, prepared.routes)
    return prepared


@contextmanager
def remote_failures(prepared: Prepared):
    """Around the store call: a failed SERVICE call becomes 502/504 with its reason."""
    try:
        yield
    except StoreError as error:
        failure = _federation().failure(prepared.call) if prepared.call else None
        if failure is not None:
            raise ServiceFailed(failure) from error
        raise
    else:
        if prepared.call:
            _federation().failure(prepared.call)  # SERVICE SILENT: forget what was recorded
