"""The members of each class (``/class/City``, ``class_list.html``; ``.csv``, ``.json``), and
the list of classes (``/class/``, also at ``/resource/``).

A class's page is a table of its members with their key facts (dates, place, what they
are part of, their Wikidata item, how many statements the graph makes about them),
sortable by any column; the same rows download as CSV (labels beside IRIs) and JSON.
Membership counts the types a reasoner added, as the landing page's counts do.
"""

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, render_template
from werkzeug.exceptions import NotFound

from kg import iris
from kg.web.page_sparql import ASSERTED_GRAPHS, labels, query_link, select
from kg.web.tables import csv_response, json_response
from kg.web.terms import KG, SKOS, Shown, shown, shown_binding

blueprint = Blueprint("class_list", __name__)

CLASSES_QUERY = f"""\
# Every class with members, and how many (types a reasoner added included)
SELECT ?class (COUNT(DISTINCT ?resource) AS ?count) WHERE {{
  ?resource a ?class .
  FILTER(STRSTARTS(STR(?resource), "{iris.RESOURCE}"))
  FILTER(STRSTARTS(STR(?class), "{iris.ONTOLOGY_NS}"))
}}
GROUP BY ?class
ORDER BY DESC(?count) ?class
"""

MEMBERS_QUERY = """\
# The members of {name} and their key facts
SELECT ?member ?property ?value WHERE {{
  ?member a {cls} .
  FILTER(STRSTARTS(STR(?member), "{resource}"))
  OPTIONAL {{
    VALUES ?property {{ {properties} }}
    GRAPH {data} {{ ?member ?property ?value }}
  }}
}}
"""

STATEMENTS_QUERY = """\
SELECT ?member (COUNT(DISTINCT ?statement) AS ?statements) WHERE {{
  ?member a {cls} . ?statement rdf:subject ?member .
}} GROUP BY ?member
"""

#: The key facts a member's row shows, in column order (a column no member has is left out).
KEY_FACTS = (
    (KG + "startDate", "start"), (KG + "endDate", "end"), (KG + "pointInTime", "date"),
    (KG + "location", "place"), (KG + "territory", "territory"), (KG + "partOf", "part of"),
    (KG + "side", "side"), (SKOS + "exactMatch", "Wikidata"),
)


@dataclass
class Member:
    resource: Shown
    facts: dict[str, list[Shown]] = field(default_factory=dict)
    statements: int = 0


@dataclass
class ClassList:
    cls: Shown
    name: str
    definition: str
    comment: str
    columns: list[tuple[str, str]]  # (property IRI, heading)
    members: list[Member]
    query_href: str

    def rows(self) -> list[dict]:
        """The table as CSV/JSON rows: each fact's labels, then its IRIs."""
        found = []
        for m in self.members:
            row = {"name": m.resource.text, "iri": m.resource.iri, "statements": m.statements}
            for predicate, heading in self.columns:
                values = m.facts.get(predicate, [])
                row[heading] = "; ".join(v.text for v in values)
                if any(v.iri for v in values):
                    row[heading + " iri"] = " ".join(v.iri or "" for v in values)
            found.append(row)
        return found

    def column_names(self) -> list[str]:
        names = ["name", "iri"]
        for predicate, heading in self.columns:
            names.append(heading)
            if any(v.iri for m in self.members for v in m.facts.get(predicate, [])):
                names.append(heading + " iri")
        return names + ["statements"]


def classes() -> list[tuple[Shown, int, str]]:
    """(class, member count, local route of its list) for every class with members."""
    rows = select(CLASSES_QUERY)
    names = labels(r["class"]["value"] for r in rows)
    return [(shown_binding(r["class"], names), int(r["count"]["value"]),
             class_route(r["class"]["value"])) for r in rows]


def class_route(class_iri: str) -> str:
    return iris.CLASS_ROUTE + class_iri[len(iris.ONTOLOGY_NS):]


def class_list(name: str) -> ClassList:
    if not iris.LOCAL_NAME.match(name):
        raise NotFound(f"no class {name} in the ontology")
    cls = ox.NamedNode(iris.term(name))
    members_query = MEMBERS_QUERY.format(
        name=name, cls=cls, resource=iris.RESOURCE, data=ox.NamedNode(iris.DATA_GRAPH),
        properties=" ".join(str(ox.NamedNode(p)) for p, _ in KEY_FACTS))
    rows = select(members_query)
    described = select(f"SELECT ?label ?comment WHERE {{ OPTIONAL {{ {cls} rdfs:label ?label }} "
                       f"OPTIONAL {{ {cls} rdfs:comment ?comment }} FILTER(BOUND(?label)) }}",
                       ASSERTED_GRAPHS)
    if not rows and not described:
        raise NotFound(f"no class {name} in the ontology")
    names = labels({cls.value} | {r["member"]["value"] for r in rows}
                   | {r["value"]["value"] for r in rows if r.get("value", {}).get("type") == "uri"})
    members: dict[str, Member] = {}
    for r in rows:
        member = members.setdefault(r["member"]["value"],
                                    Member(shown_binding(r["member"], names)))
        if "property" in r and "value" in r:
            facts = member.facts.setdefault(r["property"]["value"], [])
            value = shown_binding(r["value"], names)
            if value not in facts:
                facts.append(value)
    for r in select(STATEMENTS_QUERY.format(cls=cls)):
        if r["member"]["value"] in members:
            members[r["member"]["value"]].statements = int(r["statements"]["value"])
    for member in members.values():
        for values in member.facts.values():
            values.sort(key=lambda v: v.text)
    used = {p for m in members.values() for p in m.facts}
    comment = next((r["comment"]["value"] for r in described if "comment" in r), "")
    return ClassList(
        cls=shown(cls, names), name=name, definition=iris.href(cls.value), comment=comment,
        columns=[(p, heading) for p, heading in KEY_FACTS if p in used],
        members=sorted(members.values(), key=lambda m: m.resource.text.casefold()),
        query_href=query_link(members_query))


@blueprint.get(iris.CLASS_ROUTE)
@blueprint.get(iris.RESOURCE_ROUTE)
def class_index():
    return render_template("class_index.html", classes=classes(),
                           classes_query=query_link(CLASSES_QUERY))


@blueprint.get(iris.CLASS_ROUTE + "<name>")
def class_page(name: str):
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix in ("csv", "json"):
        found = class_list(stem)
        respond = csv_response if suffix == "csv" else json_response
        return respond(stem, found.column_names(), found.rows())
    return render_template("class_list.html", page=class_list(name))
