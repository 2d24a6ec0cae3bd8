"""The styled 404 for every unknown URL a browser asks for (``not_found.html``).

A browser that follows a broken link gets the site's layout, with its search box and
the resources whose names are nearest the URL's last segment; every other client keeps
the short plain-text 404 of ``kg.web.http``. Unknown resources (``/resource/X``) get the
same page from ``kg.web.resources``, which knows the IRI asked for.
"""

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import NotFound

from kg.web import search_page
from kg.web.http import plain_error

blueprint = Blueprint("not_found", __name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


def wants_html() -> bool:
    """Whether the client prefers a page to plain text (a browser's Accept header)."""
    accepted = request.accept_mimetypes
    html = max(accepted[t] for t in HTML_TYPES)
    return html > 0 and html >= accepted["text/plain"] and "text/html" in request.headers.get(
        "Accept", "")


@blueprint.app_errorhandler(NotFound)
def not_found(error: NotFound) -> Response:
    if not wants_html():
        return plain_error(404, error.description or error.name)
    name = request.path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0][:60]
    response = Response(render_template("not_found.html", path=request.path, name=name,
                                        suggestions=search_page.suggestions(name) if name else []),
                        status=404, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response
