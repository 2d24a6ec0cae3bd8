"""``/reconcile``: the W3C Entity Reconciliation API (v0.2), the protocol OpenRefine speaks.

Someone with a spreadsheet of names ("Lwow", "LUCK", "Stalin") adds this service in
OpenRefine and gets, for each cell, candidates from this graph with scores:

- ``GET /reconcile`` answers the service manifest (JSONP with ``callback=``);
- ``queries={"q0": {"query": "Lwów", "type": "City", "limit": 3}, ...}`` (GET or a
  form POST, as OpenRefine sends it) answers ``{"q0": {"result": [candidates]}}``;
- ``GET /reconcile/preview?id=Lwow`` is the small page OpenRefine shows on hover,
  linking to the resource page.

Names match accent- and case-insensitively (``kg.names.fold``) over ``rdfs:label``
in every language and ``skos:altLabel``; candidates are the graph's events, actors,
places and agreements, with a type filter that follows ``rdfs:subClassOf``.
"""

import json
import re
import threading
from dataclasses import dataclass, field

from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge

from kg import iris, names
from kg.store import QueryRequest
from kg.web import store

blueprint = Blueprint("reconcile", __name__, template_folder="templates")

#: Queries one batch may hold; OpenRefine sends 10 at a time.
MAX_BATCH = 100
#: Candidates returned when a query gives no limit, and at most.
DEFAULT_LIMIT, MAX_LIMIT = 5, 50
#: Candidates scoring below this (0..100) are noise ("Stalin" ~ "San" scores 60).
MIN_SCORE = 70
#: Score of a name equal after folding: a preferred label, another label.
EXACT_LABEL, EXACT_OTHER_NAME = 100, 95
#: The kinds of thing a spreadsheet names; the manifest offers them as types.
TOP_CLASSES = ("Event", "Actor", "Place", "Agreement")
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")


@dataclass
class Entity:
    """One candidate: its names (label first) and its classes, direct and inherited."""

    local_name: str
    label: str = ""
    names: set[tuple[str, str]] = field(default_factory=set)  # (folded, as written)
    types: dict[str, str] = field(default_factory=dict)       # class local name -> label
    specific_types: set[str] = field(default_factory=set)
    description: str = ""


class _Index:
    """Every entity's names, rebuilt when the store publishes a new version."""

    def __init__(self):
        self.version = None
        self.entities: dict[str, Entity] = {}
        self.lock = threading.Lock()

    def current(self) -> dict[str, Entity]:
        version = store().health().get("version")
        with self.lock:
            if version != self.version or not self.entities:
                self.entities = _read_entities()
                self.version = version
            return self.entities


_index = _Index()


def _select(query: str) -> list[dict]:
    answer = store().query(QueryRequest(query=query, results_format="json", max_rows=1_000_000))
    return json.loads(answer.body)["results"]["bindings"]


def _read_entities() -> dict[str, Entity]:
    tops = " ".join(f"kg:{name}" for name in TOP_CLASSES)
    entities_of = f"""
        VALUES ?top {{ {tops} }}
        ?entity a/rdfs:subClassOf* ?top .
        FILTER(STRSTARTS(STR(?entity), "{iris.RESOURCE}"))"""
    entities: dict[str, Entity] = {}

    def entity(row) -> Entity:
        local_name = row["entity"]["value"].removeprefix(iris.RESOURCE)
        return entities.setdefault(local_name, Entity(local_name))

    for row in _select(f"""SELECT DISTINCT ?entity ?property ?name WHERE {{ {entities_of}
            VALUES ?property {{ rdfs:label skos:altLabel }} ?entity ?property ?name }}"""):
        written = row["name"]["value"]
        entity(row).names.add((names.fold(written), written))
        if row["property"]["value"].endswith("#label") and row["name"].get("xml:lang") == "en":
            entity(row).label = written
    # ?rank is a string, not the boolean of NOT EXISTS, which Virtuoso answers as 1 or 0.
    for row in _select(f"""SELECT DISTINCT ?entity ?class ?label ?rank WHERE {{ {entities_of}
            ?entity a/rdfs:subClassOf* ?class .
            FILTER(STRSTARTS(STR(?class), "{iris.ONTOLOGY_NS}"))
            OPTIONAL {{ ?class rdfs:label ?label FILTER(LANG(?label) = "en") }}
            BIND(IF(EXISTS {{ ?entity a ?other . ?other rdfs:subClassOf+ ?class
                             FILTER(?other != ?class) }}, "broader", "specific") AS ?rank) }}"""):
        class_name = row["class"]["value"].removeprefix(iris.ONTOLOGY_NS)
        entity(row).types[class_name] = row.get("label", {}).get("value", class_name)
        if row["rank"]["value"] == "specific":
            entity(row).specific_types.add(class_name)
    for row in _select(f"""SELECT ?entity ?comment WHERE {{ {entities_of}
            ?entity rdfs:comment ?comment FILTER(LANG(?comment) = "en") }}"""):
        entity(row).description = row["comment"]["value"]
    for found in list(entities.values()):
        if not found.names:
            del entities[found.local_name]  # nothing to match a name against
        else:
            found.label = found.label or min(written for _, written in found.names)
    return entities


def _score(query: str, entity: Entity) -> int:
    folded = names.fold(query)
    if folded == names.fold(entity.label):
        return EXACT_LABEL
    if any(folded == name for name, _ in entity.names):
        return EXACT_OTHER_NAME
    best = max(names.similarity(query, written) for _, written in entity.names)
    return round(best * (EXACT_OTHER_NAME - 5))


def _type_ids(value) -> set[str]:
    """A query's ``type``: a class id or a list of them (local names or full IRIs)."""
    if value in (None, "", []):
        return set()
    values = value if isinstance(value, list) else [value]
    ids = {str(v.get("id", "")) if isinstance(v, dict) else str(v) for v in values}
    return {v.removeprefix(iris.ONTOLOGY_NS) for v in ids}


def reconcile(query: dict, entities: dict[str, Entity]) -> list[dict]:
    """The candidates for one reconciliation query, best first."""
    text = query.get("query")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest('each query needs a "query" string')
    try:
        limit = max(1, min(int(query.get("limit") or DEFAULT_LIMIT), MAX_LIMIT))
    except (TypeError, ValueError, OverflowError):  # OverflowError: 1e999 parses as infinity
        raise BadRequest('"limit" must be a number') from None
    wanted = _type_ids(query.get("type"))
    scored = []
    for entity in entities.values():
        if wanted and not wanted & set(entity.types):
            continue
        score = _score(text, entity)
        if score >= MIN_SCORE:
            scored.append((score, entity))
    scored.sort(key=lambda pair: (-pair[0], pair[1].label, pair[1].local_name))
    exact = [entity for score, entity in scored if score >= EXACT_OTHER_NAME]
    return [{
        "id": entity.local_name,
        "name": entity.label,
        "score": score,
        # Certain only when the name is exactly one entity's (after folding).
        "match": len(exact) == 1 and exact[0] is entity,
        "type": [{"id": t, "name": entity.types[t]} for t in sorted(entity.specific_types)],
        "description": entity.description,
    } for score, entity in scored[:limit]]


def _manifest() -> dict:
    base = request.url_root.rstrip("/")
    return {
        "versions": ["0.1", "0.2"],
        "name": "Kresy 1939 (Soviet invasion of Poland) knowledge graph",
        "identifierSpace": iris.RESOURCE,
        "schemaSpace": iris.ONTOLOGY_NS,
        "defaultTypes": [{"id": name, "name": name} for name in TOP_CLASSES],
        "view": {"url": f"{base}{iris.RESOURCE_ROUTE}{{{{id}}}}"},
        "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}", "width": 400,
                    "height": 160},
    }


def _json(payload) -> Response:
    callback = request.args.get("callback")
    if callback is None:
        return jsonify(payload)
    if not _CALLBACK.match(callback):
        raise BadRequest("callback must be a JavaScript identifier")
    body = f"{callback}({json.dumps(payload)});"
    return Response(body, content_type="application/javascript; charset=utf-8")


@blueprint.route("/reconcile", methods=["GET", "POST"], strict_slashes=False)
def service():
    raw = request.values.get("queries")
    if raw is None:
        if request.values.get("query") is not None:
            # v0.1 single query: ?query=Lwow or ?query={"query": "Lwow"}
            return _json({"result": reconcile(_single(request.values["query"]),
                                              _index.current())})
        return _json(_manifest())
    try:
        batch = json.loads(raw)
    except ValueError:
        raise BadRequest("queries must be a JSON object of queries") from None
    if not isinstance(batch, dict) or not all(isinstance(q, dict) for q in batch.values()):
        raise BadRequest('queries must be a JSON object like {"q0": {"query": "Lwów"}}')
    if len(batch) > MAX_BATCH:
        raise RequestEntityTooLarge(f"at most {MAX_BATCH} queries per batch")
    entities = _index.current()
    return _json({key: {"result": reconcile(query, entities)} for key, query in batch.items()})


def _single(raw: str) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        return {"query": raw}
    return value if isinstance(value, dict) else {"query": raw}


@blueprint.get("/reconcile/preview")
def preview():
    entity = _index.current().get(request.args.get("id", ""))
    if entity is None:
        raise NotFound("no such entity in this graph")
    other_names = sorted({written for _, written in entity.names} - {entity.label})
    iri = iris.resource(entity.local_name)
    return render_template("reconcile/preview.html", entity=entity, other_names=other_names,
                           iri=iri, page=request.url_root.rstrip("/") + iris.href(iri),
                           types=[entity.types[t] for t in sorted(entity.specific_types)])
