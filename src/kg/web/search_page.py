"""The site search (``/search?q=…``, ``search.html``; ``&format=json`` for the same as JSON).

It asks the full-text index that ``kg load`` built beside the store version being served
(``kg.search``), so a search costs no SPARQL scan: resources by any name (their labels in
every language, other names, Wikidata's label), claims by their wording, and the article's
quotes ("NKVD" finds the spans whose words mention it, with what their statements are
about). Hits are grouped by kind; within a kind, best first.
"""

from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Blueprint, jsonify, make_response, render_template, request
from werkzeug.exceptions import BadRequest

from kg import iris, search
from kg.names import similarity
from kg.store.layout import Layout
from kg.web import settings
from kg.web.page_sparql import labels

blueprint = Blueprint("search", __name__)

#: Longest query accepted, in characters (a name or a few words of a quote).
MAX_QUERY = 200
#: How alike (``kg.names.similarity``) a name must be to a missing URL's to be suggested.
SUGGEST_SIMILARITY = 0.75
#: Most resources a 404 page suggests.
MAX_SUGGESTIONS = 5


@dataclass
class Result:
    """One resource, claim or quote, with the names or words that matched."""

    iri: str
    href: str
    label: str
    matched: list[dict] = field(default_factory=list)  # {"text", "how", "lang"}
    about: list[dict] = field(default_factory=list)  # {"iri", "href", "label"} for quotes


def index_file():
    """The index of the store version being served (None before the first ``kg load``)."""
    version = Layout(settings().store).current_version()
    return search.index_path(version) if version else None


def grouped(hits: list[search.Hit]) -> list[tuple[str, str, list[Result]]]:
    """(kind, heading, results) for each kind with hits, a resource listed once."""
    names = labels({h.iri for h in hits} | {a for h in hits for a in h.about})
    groups: dict[str, dict[str, Result]] = {kind: {} for kind in search.KINDS}
    for hit in hits:
        label = hit.text if hit.kind == "quote" else names.get(hit.iri, hit.text)
        result = groups[hit.kind].setdefault(hit.iri, Result(hit.iri, iris.href(hit.iri), label))
        if hit.kind != "quote" and hit.text != label:
            result.matched.append({"text": hit.text, "how": hit.how, "lang": hit.lang})
        result.about = [{"iri": a, "href": iris.href(a), "label": names.get(a, a)}
                        for a in hit.about]
    return [(kind, search.KINDS[kind], list(found.values()))
            for kind, found in groups.items() if found]


@blueprint.get(iris.SEARCH_ROUTE)
def search_page():
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise BadRequest(f"the search is {len(query)} characters long; at most {MAX_QUERY}")
    requested = request.args.get("format")
    if requested not in (None, "json"):
        raise BadRequest(f"unknown format {requested!r}; known: json")
    path = index_file()
    hits = search.search(path, query) if query and path else []
    groups = grouped(hits)
    if requested == "json" or (
            request.accept_mimetypes.best_match(["text/html", "application/json"])
            == "application/json"):
        response = jsonify(query=query, groups=[
            {"kind": kind, "heading": heading, "results": [vars(r) for r in results]}
            for kind, heading, results in groups])
    else:
        response = make_response(render_template(
            "search.html", query=query, groups=groups,
            indexed=path is not None and path.is_file(),
            json_href=f"{iris.SEARCH_ROUTE}?format=json&q={quote(query)}"))
    response.vary.add("Accept")
    return response


def same_resource(name: str) -> str | None:
    """The resource whose local name is ``name`` but for case (``lwow`` -> ``Lwow``)."""
    path = index_file()
    wanted = name.casefold()
    for iri, _ in search.names(path) if path else []:
        if iri.startswith(iris.RESOURCE) and iri[len(iris.RESOURCE):].casefold() == wanted:
            return iri
    return None


def suggestions(name: str) -> list[tuple[str, str]]:
    """(href, name) of the resources whose names are nearest ``name``, for a 404 page."""
    path = index_file()
    # "SovietInvasion" is written as a reader writes it: "Soviet Invasion".
    words = "".join(f" {c}" if c.isupper() else c for c in name).replace("_", " ")
    scored: dict[str, tuple[float, str]] = {}
    for iri, text in search.names(path) if path else []:
        score = similarity(words, text)
        if score >= SUGGEST_SIMILARITY and score > scored.get(iri, (0, ""))[0]:
            scored[iri] = (score, text)
    best = sorted(scored.items(), key=lambda item: (-item[1][0], item[1][1]))[:MAX_SUGGESTIONS]
    return [(iris.href(iri), text) for iri, (_, text) in best]
