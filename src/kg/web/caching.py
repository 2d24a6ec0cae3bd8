"""HTTP caching of GET answers and pages, so a browser, reverse proxy or CDN can reuse them.

Everything the server sends for a GET is a function of the store's version, the URL
(path and query string) and the representation chosen from ``Accept``. The validator is
therefore a weak ``ETag`` made of those three, computed before any work is done, with
``Last-Modified`` (when the version was published) and ``Cache-Control: public,
max-age=KG_HTTP_MAX_AGE``. A request whose ``If-None-Match`` (or, without one,
``If-Modified-Since``) still matches is answered 304 at once, without evaluating
anything; after a load or an update the tag differs and the full answer is sent.
The tag is weak (``W/``) because the bytes differ with gzip, the meaning does not.
"""

import hashlib

from flask import Response, abort, g, request
from werkzeug.http import http_date

# kg.web imports this module while it initialises: reach its accessors at call time.
import kg.web as web


def check(representation: str, vary: tuple[str, ...] = ("Accept",)) -> None:
    """Mark this GET answer cacheable as ``representation`` (a format name or "html"); answer
    304 now if the client's copy is current. Call once the representation is chosen, before
    the work of making the answer."""
    if request.method not in ("GET", "HEAD"):
        return
    version = web.store().version()
    if version is None:
        return
    digest = hashlib.blake2b(
        "\n".join((version.tag, request.full_path, representation)).encode(), digest_size=12)
    g.validators = (digest.hexdigest(), int(version.published), vary)
    if _current(*g.validators[:2]):
        abort(Response(status=304))


def never_cache() -> None:
    """This answer may differ between two identical requests (SERVICE, RAND, NOW ...)."""
    g.no_store = True


def _current(tag: str, published: int) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match (weak comparison) decides when present."""
    if "If-None-Match" in request.headers:
        return request.if_none_match.contains_weak(tag)
    since = request.if_modified_since
    return since is not None and published <= since.timestamp()


def finish(response: Response) -> None:
    """Add the validators and freshness to a 200 or 304 answer marked by ``check``."""
    if g.get("no_store"):
        response.headers["Cache-Control"] = "no-store"
        return
    validators = g.get("validators")
    if validators is None or response.status_code not in (200, 304):
        return
    tag, published, vary = validators
    response.set_etag(tag, weak=True)
    response.headers["Last-Modified"] = http_date(published)
    response.headers["Cache-Control"] = f"public, max-age={web.settings().http_max_age}"
    for header in vary:
        response.vary.add(header)
