"""The entities of the graph that have no Wikidata link yet, for an editor to work through.

An entity is an instance of one of the ontology's kinds of thing that Wikidata has items
for (events, actors, places, agreements), not a claim, reference or provenance node.
``kg links export --unlinked`` and the ``/unlinked`` page both list the answer of
:data:`UNLINKED_QUERY`, with the reason ``wikidata-unresolved.md`` gives where it gives one.
"""

from dataclasses import dataclass

from kg import curate, iris
from kg.wikidata import links

#: Each entity without a skos:exactMatch or skos:closeMatch to Wikidata, with its English
#: label and its most specific classes (run over the ontology and the data: the classes'
#: rdfs:subClassOf chain says which are entities).
UNLINKED_QUERY = f"""\
# Entities (events, actors, places, agreements) with no Wikidata link, and their classes
SELECT ?entity ?label (GROUP_CONCAT(DISTINCT STRAFTER(STR(?class), STR(kg:));
                                    separator=", ") AS ?classes) WHERE {{
  VALUES ?kind {{ kg:Event kg:Actor kg:Place kg:Agreement }}
  ?entity a ?class . ?class rdfs:subClassOf* ?kind .
  FILTER(STRSTARTS(STR(?entity), "{iris.RESOURCE}"))
  # the most specific classes only: none of the entity's other classes is below them
  FILTER NOT EXISTS {{ ?entity a ?narrower . ?narrower rdfs:subClassOf+ ?class
                      FILTER(?narrower != ?class) }}
  FILTER NOT EXISTS {{ ?entity skos:exactMatch|skos:closeMatch ?item
                      FILTER(STRSTARTS(STR(?item), STR(wd:))) }}
  OPTIONAL {{ ?entity rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }}
}}
GROUP BY ?entity ?label
ORDER BY LCASE(STR(?label)) ?entity
"""

COLUMNS = ["iri", "label", "class", "reason"]


@dataclass(frozen=True)
class Unlinked:
    """One entity without a Wikidata link, and why it has none when the curator said."""

    iri: str
    label: str
    classes: str  # local names of its most specific classes: "Region", "Country, State"
    reason: str

    @property
    def local_name(self) -> str:
        return self.iri.removeprefix(iris.RESOURCE)

    def row(self) -> dict[str, str]:
        return {"iri": self.iri, "label": self.label, "class": self.classes,
                "reason": self.reason}


def from_rows(rows: list[dict[str, str]]) -> list[Unlinked]:
    """The entities of :data:`UNLINKED_QUERY`'s solutions (variable -> value dicts)."""
    reasons = curate.load_unlinked_reasons()
    found = []
    for row in rows:
        local_name = row["entity"].removeprefix(iris.RESOURCE)
        found.append(Unlinked(row["entity"], row.get("label", local_name), row["classes"],
                              reasons.get(local_name, "")))
    return found


def read_unlinked(source) -> list[Unlinked]:
    """The unlinked entities of a source holding the ontology and the data (any graphs):
    a file read into memory or the loaded store (see ``links.select``)."""
    solutions = links.select(source, UNLINKED_QUERY)
    return from_rows([{name: term.value for name in ("entity", "label", "classes")
                       if (term := solution[name]) is not None} for solution in solutions])
