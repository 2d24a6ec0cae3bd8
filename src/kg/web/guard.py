"""Refuse SPARQL that would make the server contact other hosts or read local files.

pyoxigraph evaluates ``SERVICE`` by sending real HTTP requests, and ``LOAD`` fetches
a URL, so both are refused before evaluation unless the target is in the operator's
allowlist (``KG_ALLOWED_SERVICES``). The decision comes from a real parse (rdflib's
SPARQL grammar), so a ``#SERVICE`` comment or a ``"SERVICE"`` string never trips it
and a ``SERVICE`` nested in OPTIONAL, a subquery, FILTER EXISTS or an update's WHERE
never slips through. Parsing costs about a millisecond, so it is skipped when the
text cannot contain either keyword (oxigraph does not decode ``\\u`` escapes in
keywords, so a keyword is always spelled out).
"""

from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from kg.iris import PREFIXES
from kg.store import StoreError
from kg.store.syntax import ParseException, nodes, parseQuery, parseUpdate


class Refused(StoreError):
    status = 400


def check_query(text: str, allowed: tuple[str, ...]) -> None:
    if "service" in text.lower():
        _check(text, parseQuery, allowed)


def check_update(text: str, allowed: tuple[str, ...]) -> None:
    lowered = text.lower()
    if "service" in lowered or "load" in lowered:
        _check(text, parseUpdate, allowed)


def _check(text: str, parse, allowed: tuple[str, ...]) -> None:
    try:
        tree = parse(text)
    except ParseException:
        # oxigraph may accept syntax rdflib does not know (SPARQL 1.2); unverifiable is refused.
        raise Refused(
            "the query mentions SERVICE or LOAD in syntax the safety check cannot verify; "
            "remote requests are not allowed"
        ) from None
    prefixes = dict(PREFIXES)
    for node in nodes(tree):
        if node.name == "PrefixDecl":
            prefixes[node.get("prefix") or ""] = str(node.get("iri"))
    for node in nodes(tree):
        if node.name == "ServiceGraphPattern":
            _require_allowed("SERVICE", _iri(node.get("term"), prefixes), allowed)
        elif node.name == "Load":
            _require_allowed("LOAD", _iri(node.get("iri"), prefixes), allowed)


def _require_allowed(keyword: str, iri: str | None, allowed: tuple[str, ...]) -> None:
    if iri is None or iri not in allowed:
        target = f"<{iri}>" if iri else "a variable endpoint"
        raise Refused(f"{keyword} {target} is not allowed: this endpoint does not contact "
                      "other hosts (the operator may allow endpoints with KG_ALLOWED_SERVICES)")


def _iri(term, prefixes: dict[str, str]) -> str | None:
    if isinstance(term, Variable) or term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, CompValue) and term.name == "pname":
        namespace = prefixes.get(term.get("prefix") or "")
        return None if namespace is None else namespace + (term.get("localname") or "")
    return None
