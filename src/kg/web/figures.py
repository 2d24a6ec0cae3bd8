"""Every figure of the graph on one page (``/figures``, ``figures.html``), and as CSV and JSON.

Each ``kg:QuantityClaim`` is a row: what is counted, the side, minimum and maximum as
the data holds them (a range stays a range), whether it is approximate, the quote it
comes from and where (the infobox or the prose), and the article's references. The
chart draws each kind of quantity on its own linear axis with ticks, a range as a bar
from its minimum to its maximum; it is drawn on the server as SVG, so it needs no script.
"""

import math
from dataclasses import dataclass, field

from flask import Blueprint, render_template

from kg import iris
from kg.web.claims import figure, reference_order
from kg.web.page_sparql import ASSERTED_GRAPHS, labels, query_link, select
from kg.web.tables import csv_response, json_response
from kg.web.terms import Shown, shown_binding

blueprint = Blueprint("figures", __name__)

FIGURES_QUERY = """\
# Every figure: what is counted, the side, its range, and the article's references
SELECT ?claim ?label ?kind ?minimum ?maximum ?approximate
       (GROUP_CONCAT(DISTINCT STR(?side); SEPARATOR=" ") AS ?sides)
       (GROUP_CONCAT(DISTINCT STR(?source); SEPARATOR=" ") AS ?sources)
WHERE {
  ?claim a kg:QuantityClaim .
  OPTIONAL { ?claim rdfs:label ?label FILTER(LANG(?label) = "en" || LANG(?label) = "") }
  OPTIONAL { ?claim kg:quantityKind ?kind }
  OPTIONAL { ?claim kg:minimum ?minimum }
  OPTIONAL { ?claim kg:maximum ?maximum }
  OPTIONAL { ?claim kg:approximate ?approximate }
  OPTIONAL { ?claim kg:side ?side }
  OPTIONAL { ?claim kg:accordingTo ?source }
}
GROUP BY ?claim ?label ?kind ?minimum ?maximum ?approximate
ORDER BY ?kind ?claim
"""

QUOTES_QUERY = """\
# The quote each figure's statements come from (stated or used by the curator)
SELECT ?claim ?predicate ?evidence ?exact ?section WHERE {
  ?claim a kg:QuantityClaim .
  ?statement rdf:subject ?claim ; rdf:predicate ?predicate ;
             prov:wasDerivedFrom|prov:used ?evidence .
  ?evidence oa:hasSelector/oa:exact ?exact .
  OPTIONAL { ?evidence kg:section ?section }
}
"""

#: The statements whose quote best shows a figure: the number's own, then its kind's.
QUOTE_PREFERENCE = (iris.term("minimum"), iris.term("maximum"), iris.term("quantityKind"))
#: The CSV's and JSON's columns, in order: labels beside IRIs.
COLUMNS = ["figure", "claim", "claim_iri", "counted", "counted_iri", "side", "side_iri", "minimum",
           "maximum", "approximate", "quote", "where", "sources", "source_iris"]
#: Ticks on each chart's axis (about this many; the step is a round number).
TICKS = 5


@dataclass
class Figure:
    claim: Shown
    counted: Shown | None
    sides: list[Shown]
    minimum: int | None
    maximum: int | None
    approximate: bool
    sources: list[Shown]
    quote: str = ""
    where: str = ""
    evidence_href: str | None = None

    @property
    def value(self) -> str:
        return figure(self.minimum, self.maximum, self.approximate)

    def row(self) -> dict:
        """The figure as a CSV or JSON row."""
        return {
            "figure": self.value, "claim": self.claim.text, "claim_iri": self.claim.iri,
            "counted": _text(self.counted),
            "counted_iri": self.counted.iri if self.counted else "",
            "side": "; ".join(s.text for s in self.sides),
            "side_iri": " ".join(s.iri or "" for s in self.sides),
            "minimum": self.minimum, "maximum": self.maximum,
            "approximate": self.approximate, "quote": self.quote, "where": self.where,
            "sources": " ".join(s.text for s in self.sources),
            "source_iris": " ".join(s.iri or "" for s in self.sources),
        }


def _text(term: Shown | None) -> str:
    return term.text if term else ""


def _iris(row: dict, key: str) -> list[str]:
    """The IRIs a GROUP_CONCAT joined (unbound when the group had none)."""
    return row.get(key, {}).get("value", "").split()


def _int(binding: dict | None) -> int | None:
    try:
        return int(binding["value"]) if binding else None
    except ValueError:
        return None


def figures() -> list[Figure]:
    """Every quantity claim, with its quote, ordered by what is counted."""
    rows = select(FIGURES_QUERY, ASSERTED_GRAPHS)
    quotes = select(QUOTES_QUERY, ASSERTED_GRAPHS)
    wanted = {r["claim"]["value"] for r in rows} | {
        r[k]["value"] for r in rows for k in ("kind",) if k in r}
    wanted |= {i for r in rows for k in ("sides", "sources") for i in _iris(r, k)}
    names = labels(wanted)

    def iri(value: str) -> Shown:
        return shown_binding({"type": "uri", "value": value}, names)

    best: dict[str, dict] = {}
    for q in quotes:
        claim, rank = q["claim"]["value"], _rank(q["predicate"]["value"])
        if claim not in best or rank < best[claim]["rank"]:
            best[claim] = {"rank": rank, **q}
    found = []
    for r in rows:
        quote = best.get(r["claim"]["value"])
        found.append(Figure(
            claim=iri(r["claim"]["value"]),
            counted=iri(r["kind"]["value"]) if "kind" in r else None,
            sides=[iri(s) for s in sorted(_iris(r, "sides"))],
            minimum=_int(r.get("minimum")), maximum=_int(r.get("maximum")),
            approximate=r.get("approximate", {}).get("value") in ("true", "1"),
            sources=sorted((iri(s) for s in _iris(r, "sources")),
                           key=lambda s: reference_order(s.text)),
            quote=quote["exact"]["value"] if quote else "",
            where=quote["section"]["value"] if quote and "section" in quote else "",
            evidence_href=iris.href(quote["evidence"]["value"]) if quote else None))
    return sorted(found, key=lambda f: (_text(f.counted), -(f.maximum or f.minimum or 0)))


def _rank(predicate: str) -> int:
    return QUOTE_PREFERENCE.index(predicate) if predicate in QUOTE_PREFERENCE else 9


# --- The chart ---------------------------------------------------------------------------


@dataclass
class Bar:
    figure: Figure
    start: float  # percent of the axis
    end: float
    open_end: bool  # "at least": the range goes on past its minimum


@dataclass
class Chart:
    counted: str
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (percent, label)
    bars: list[Bar] = field(default_factory=list)


def nice_step(top: float) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving about ``TICKS`` ticks."""
    raw = max(top, 1) / TICKS
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw)) or 1


def charts(found: list[Figure]) -> list[Chart]:
    """One linear chart per kind of quantity, from 0 to a round number past the largest."""
    by_kind: dict[str, list[Figure]] = {}
    for f in found:
        if f.minimum is not None or f.maximum is not None:
            by_kind.setdefault(_text(f.counted) or "other", []).append(f)
    drawn = []
    for counted, members in by_kind.items():
        top = max(max(f.maximum or 0, f.minimum or 0) for f in members)
        step = nice_step(top)
        axis = step * math.ceil(max(top, 1) / step)
        chart = Chart(counted, [(100 * v / axis, f"{v:,}") for v in range(0, axis + 1, step)])
        for f in members:
            low = f.minimum if f.minimum is not None else 0
            high = f.maximum if f.maximum is not None else low
            chart.bars.append(Bar(f, 100 * low / axis, 100 * high / axis,
                                  open_end=f.maximum is None))
        drawn.append(chart)
    return drawn


# --- Routes ----------------------------------------------------------------------------


@blueprint.get(iris.FIGURES_ROUTE)
def figures_page():
    found = figures()
    return render_template(
        "figures.html", figures=found, charts=charts(found),
        sides=sorted({s.text for f in found for s in f.sides}),
        kinds=sorted({_text(f.counted) for f in found if f.counted}),
        figures_query=query_link(FIGURES_QUERY))


@blueprint.get(iris.FIGURES_ROUTE + ".csv")
def figures_csv():
    return csv_response("figures", COLUMNS, [f.row() for f in figures()])


@blueprint.get(iris.FIGURES_ROUTE + ".json")
def figures_json():
    return json_response("figures", COLUMNS, [f.row() for f in figures()])
