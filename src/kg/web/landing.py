"""The landing page (``/``, ``landing.html``).

It says what the dataset is, where it comes from and under which licence, counts the
resources of each class and draws the dated events as a timeline, all read from the store.
"""

from dataclasses import dataclass

from flask import Blueprint, render_template

from kg import iris
from kg.source import ARTICLE_TITLE, ARTICLE_URL, LICENSE_URL, RETRIEVED
from kg.web import caching
from kg.web.page_sparql import ASSERTED_GRAPHS, labels, query_link, select
from kg.web.terms import Shown, shown_binding

blueprint = Blueprint("landing", __name__)

CLASS_COUNTS_QUERY = f"""\
# How many resources of each class (types a reasoner added included)
SELECT ?class (COUNT(DISTINCT ?resource) AS ?count) WHERE {{
  ?resource a ?class .
  FILTER(STRSTARTS(STR(?resource), "{iris.RESOURCE}"))
}}
GROUP BY ?class
ORDER BY DESC(?count) ?class
"""

TIMELINE_QUERY = """\
# Every dated event, with the precision the article gives
SELECT ?event ?start ?end ?point ?qualifier WHERE {
  { ?event kg:startDate ?start } UNION { ?event kg:pointInTime ?point }
  OPTIONAL { ?event kg:endDate ?end }
  OPTIONAL { ?event kg:timeQualifier ?qualifier }
}
"""


@blueprint.get(iris.HOME_ROUTE)
def landing():
    caching.check("html", vary=())
    rows = select(CLASS_COUNTS_QUERY)
    timeline = select(TIMELINE_QUERY, ASSERTED_GRAPHS)
    names = labels([r["class"]["value"] for r in rows] + [r["event"]["value"] for r in timeline])
    counts = [(shown_binding(r["class"], names), int(r["count"]["value"])) for r in rows]
    return render_template(
        "landing.html", counts=counts, events=timeline_of(timeline, names),
        article_title=ARTICLE_TITLE, article_url=ARTICLE_URL, retrieved=RETRIEVED,
        license_url=LICENSE_URL, ontology_ns=iris.ONTOLOGY_NS,
        counts_query=query_link(CLASS_COUNTS_QUERY),
        timeline_query=query_link(TIMELINE_QUERY))


@dataclass
class TimelineEvent:
    event: Shown
    sort_key: str
    year: str
    when: str


def timeline_of(rows: list[dict], names: dict[str, str]) -> list[TimelineEvent]:
    """Events in date order, each dated as precisely as the article dates it."""
    events = []
    for row in rows:
        begin = row.get("start") or row.get("point")
        when = shown_binding(begin, names).text
        if "qualifier" in row:
            when = f"{row['qualifier']['value']} {when}"
        if "end" in row and row["end"]["value"] != begin["value"]:
            when += " – " + shown_binding(row["end"], names).text
        events.append(TimelineEvent(shown_binding(row["event"], names), begin["value"],
                                    begin["value"][:4], when))
    events.sort(key=lambda e: (e.sort_key, e.event.text))
    return events
