"""Our Wikidata links, read from the graph, and whether each still fits its Wikidata item.

A wrong QID is worse than none (DESIGN.md), and items on Wikidata change. So
:func:`check` fetches, for every link, the item's labels, ``instance of`` (P31, with
its ``subclass of`` chain) and dates from a Wikidata SPARQL endpoint, and names the
links whose label or type does not fit our resource, or whose dates contradict ours:
a city linked to a province, a state linked to one that ended before 1939, an event
linked to one that started on another day.
"""

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import iris, names
from kg.store import QueryRequest
from kg.wikidata import remote

SKOS = iris.PREFIXES["skos"]
MATCHES = {SKOS + "exactMatch": "exact", SKOS + "closeMatch": "close"}

#: Our classes -> Wikidata classes an item of that kind is an instance of (directly or
#: through ``subclass of``). A link fits when one of them is reached; the first class
#: of ours found in this table decides, so subclasses come before their parents.
#: Each QID was checked against public label tables (2026-11-25, with the project's
#: search tools): Q515 city, Q486972 human settlement, Q4022 river, Q82794 region,
#: Q56061 administrative territorial entity, Q6256 country, Q7275 state, Q3024240
#: historical country, Q5 human, Q41710 ethnic group, Q2472587 people, Q131569 treaty,
#: Q1190554 occurrence, Q43229 organization.
FITTING_CLASSES = {
    "City": ("Q515", "Q486972"),                    # city, human settlement
    "River": ("Q4022",),                            # river
    "Region": ("Q82794", "Q56061"),                 # geographic region, admin. territorial entity
    "Territory": ("Q82794", "Q56061"),
    "Country": ("Q6256", "Q7275", "Q3024240"),      # country, state, historical country
    "State": ("Q6256", "Q7275", "Q3024240"),
    "Person": ("Q5",),                              # human
    "PopulationGroup": ("Q41710", "Q2472587"),      # ethnic group, people
    "Agreement": ("Q131569",),                      # treaty
    "Event": ("Q1190554",),                         # occurrence
    "Actor": ("Q43229",),                           # organization
}

#: A link whose labels are all less alike than this (see kg.names.similarity) is doubtful.
LABEL_FIT = 0.75
#: States, places and actors of the article existed in or after this year; an item that
#: ended before it is another (older) entity.
ARTICLE_FIRST_YEAR = 1939
#: Label languages fetched from Wikidata: ours, and the region's.
LANGUAGES = ("en", "pl", "uk", "be", "ru", "de", "mul")

_DATE_PROPERTIES = {
    "P571": "inception", "P576": "dissolved", "P580": "start", "P582": "end",
    "P585": "point in time",
}
_OUR_DATES = {"startDate": "start", "endDate": "end", "pointInTime": "point in time"}


@dataclass
class Link:
    """One ``skos:exactMatch`` / ``skos:closeMatch`` of ours, with what we say of the resource."""

    resource: str
    qid: str
    match: str
    labels: list[tuple[str, str]] = field(default_factory=list)  # (text, language)
    classes: set[str] = field(default_factory=set)               # kg: local names
    dates: dict[str, str] = field(default_factory=dict)          # start/end/point in time
    evidence: str = ""

    @property
    def label(self) -> str:
        english = [text for text, lang in self.labels if lang == "en"]
        return (english or [text for text, _ in self.labels] or [self.resource])[0]

    @property
    def local_name(self) -> str:
        return self.resource.removeprefix(iris.RESOURCE)


@dataclass
class Item:
    """What a Wikidata endpoint says about one item."""

    qid: str
    labels: list[tuple[str, str]] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)          # P31 QID -> English label
    reached: set[str] = field(default_factory=set)               # fitting classes reached
    dates: dict[str, str] = field(default_factory=dict)          # inception/dissolved/...

    @property
    def label(self) -> str:
        english = [text for text, lang in self.labels if lang == "en"]
        return (english or [text for text, _ in self.labels] or [""])[0]


def read_links(source) -> list[Link]:
    """Every Wikidata link of our resources (not the ontology's class alignments), sorted.

    ``source`` is a file read into memory (``read_graph``) or the loaded store, local or
    remote (a ``kg.store.GraphStore``)."""
    links: dict[tuple[str, str], Link] = {}
    query = f"""
        SELECT ?resource ?match ?item ?label ?class ?dateProperty ?date ?comment WHERE {{
          VALUES ?match {{ skos:exactMatch skos:closeMatch }}
          ?resource ?match ?item .
          FILTER(STRSTARTS(STR(?item), "{iris.WIKIDATA_ENTITY}")
                 && STRSTARTS(STR(?resource), "{iris.RESOURCE}"))
          {{ ?resource rdfs:label ?label }}
          UNION {{ ?resource a ?class }}
          UNION {{ VALUES ?dateProperty {{ kg:startDate kg:endDate kg:pointInTime }}
                  ?resource ?dateProperty ?date }}
          UNION {{ ?statement rdf:subject ?resource ; rdf:predicate ?match ; rdf:object ?item ;
                              rdfs:comment ?comment }}
        }}"""
    rows = select(source, query)
    for row in rows:
        resource, item = row["resource"].value, row["item"].value
        link = links.setdefault((resource, item), Link(
            resource, item.removeprefix(iris.WIKIDATA_ENTITY), MATCHES[row["match"].value]))
        if row["label"] is not None:
            link.labels.append((row["label"].value, row["label"].language or ""))
        if row["class"] is not None and row["class"].value.startswith(iris.ONTOLOGY_NS):
            link.classes.add(row["class"].value.removeprefix(iris.ONTOLOGY_NS))
        if row["date"] is not None:
            link.dates[_OUR_DATES[row["dateProperty"].value.removeprefix(iris.ONTOLOGY_NS)]] = (
                row["date"].value)
        if row["comment"] is not None:
            link.evidence = row["comment"].value
    for link in links.values():
        link.labels.sort()
    return sorted(links.values(), key=lambda link: (link.resource, link.qid))


def select(source, query: str) -> ox.QuerySolutions:
    """A SELECT over the union of all graphs of ``source``, all of its rows.

    ``source`` is a file read into memory (``read_graph``) or the loaded store, local or
    remote (a ``kg.store.GraphStore``, which answers serialised results)."""
    if isinstance(source, ox.Store):
        return source.query(query, prefixes=iris.PREFIXES, use_default_graph_as_union=True)
    answer = source.query(QueryRequest(query, results_format="json", max_rows=2**62))
    return ox.parse_query_results(answer.body, ox.QueryResultsFormat.JSON)


def read_graph(*paths) -> ox.Store:
    """Turtle files (e.g. data/triples.ttl and the ontology) read into an in-memory store."""
    store = ox.Store()
    for path in paths:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def fetch_items(endpoint: str, qids: list[str], limits: remote.Limits) -> dict[str, Item]:
    """Labels, P31 types, dates and fitting classes of the items, in two remote queries."""
    items = {qid: Item(qid) for qid in qids}
    values = " ".join(f"wd:{qid}" for qid in qids)
    languages = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    dates = " ".join(f"wdt:{p}" for p in _DATE_PROPERTIES)
    for row in remote.select(endpoint, f"""
        PREFIX wd: <{iris.WIKIDATA_ENTITY}>
        PREFIX wdt: <{iris.PREFIXES["wdt"]}>
        PREFIX rdfs: <{iris.PREFIXES["rdfs"]}>
        PREFIX skos: <{SKOS}>
        SELECT ?item ?label ?type ?typeLabel ?property ?date WHERE {{
          VALUES ?item {{ {values} }}
          {{ ?item rdfs:label|skos:altLabel ?label FILTER(LANG(?label) IN ({languages})) }}
          UNION {{ ?item wdt:P31 ?type
                  OPTIONAL {{ ?type rdfs:label ?typeLabel FILTER(LANG(?typeLabel) = "en") }} }}
          UNION {{ VALUES ?property {{ {dates} }} ?item ?property ?date }}
        }}""", limits):
        item = items[row["item"]["value"].removeprefix(iris.WIKIDATA_ENTITY)]
        if "label" in row:
            item.labels.append((row["label"]["value"], row["label"].get("xml:lang", "")))
        if "type" in row:
            type_qid = row["type"]["value"].removeprefix(iris.WIKIDATA_ENTITY)
            item.types[type_qid] = row.get("typeLabel", {}).get("value", type_qid)
        if "date" in row:
            name = _DATE_PROPERTIES[row["property"]["value"].rsplit("/", 1)[-1]]
            item.dates.setdefault(name, row["date"]["value"])
    fitting = sorted({qid for classes in FITTING_CLASSES.values() for qid in classes})
    for row in remote.select(endpoint, f"""
        PREFIX wd: <{iris.WIKIDATA_ENTITY}>
        PREFIX wdt: <{iris.PREFIXES["wdt"]}>
        SELECT DISTINCT ?item ?class WHERE {{
          VALUES ?item {{ {values} }}
          VALUES ?class {{ {" ".join(f"wd:{qid}" for qid in fitting)} }}
          ?item wdt:P31/wdt:P279* ?class
        }}""", limits):
        item = items[row["item"]["value"].removeprefix(iris.WIKIDATA_ENTITY)]
        item.reached.add(row["class"]["value"].removeprefix(iris.WIKIDATA_ENTITY))
    return items


def doubts(link: Link, item: Item) -> list[str]:
    """Why the link may be wrong; empty when label, type and dates all fit."""
    if not item.labels and not item.types:
        return [f"{link.qid} has no labels or types at the endpoint (deleted or redirected?)"]
    found = []
    best = max((names.similarity(ours, theirs) for ours, _ in link.labels
                for theirs, _ in item.labels), default=0.0)
    # A close match names the thing in another historical sense ("Second Polish Republic"
    # / "Poland"): only its type and dates are checked.
    if link.match == "exact" and best < LABEL_FIT:
        found.append(f"label {link.label!r} does not fit {item.label!r} "
                     f"(best similarity {best:.2f} < {LABEL_FIT})")
    expected = next((FITTING_CLASSES[c] for c in FITTING_CLASSES if c in link.classes), None)
    if expected is not None and not item.reached & set(expected):
        ours = next(c for c in FITTING_CLASSES if c in link.classes)
        types = ", ".join(f"{label} ({qid})" for qid, label in sorted(item.types.items()))
        found.append(f"type: kg:{ours} expects an instance of {', '.join(expected)}; "
                     f"the item is an instance of {types or 'nothing'}")
    dissolved = item.dates.get("dissolved", "")
    if not link.dates and dissolved[:4].isdigit() and int(dissolved[:4]) < ARTICLE_FIRST_YEAR:
        found.append(f"the item ended in {dissolved[:4]}, before {ARTICLE_FIRST_YEAR}")
    for name, ours in sorted(link.dates.items()):
        theirs = item.dates.get(name) or (item.dates.get("point in time") if name == "start"
                                          else None)
        if theirs and not theirs.startswith(ours):
            found.append(f"{name}: ours {ours}, the item's {theirs[:10]}")
    return found


@dataclass(frozen=True)
class Finding:
    """The check's verdict on one link."""

    link: Link
    item: Item
    doubts: list[str]


def check(links: list[Link], endpoint: str, limits: remote.Limits) -> list[Finding]:
    """Each link with the doubts its Wikidata item raises (remote errors propagate)."""
    items = fetch_items(endpoint, sorted({link.qid for link in links}), limits)
    return [Finding(link, items[link.qid], doubts(link, items[link.qid])) for link in links]
