"""The query shapes the benchmark sends, and the check that an answer to one looks right.

Every query spells out its prefixes, so ``oxigraph serve`` and our server receive the
very same text. A shape is a template with one ``{resource}`` slot (or none): the
"fixed" variant always fills it with one resource, the "varied" variant with the next
resource of a list read from the store, so consecutive requests differ; wrk then also
appends a unique comment to each varied request, so no answer cache can serve it.
"""

from dataclasses import dataclass

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX kg: <https://w3id.org/kresy1939/ontology#>
PREFIX kgr: <https://w3id.org/kresy1939/resource/>
"""
RESOURCE = "https://w3id.org/kresy1939/resource/"
JSON = "application/sparql-results+json"
TURTLE = "text/turtle"

#: The resource the fixed variants ask about: the article's subject, with the most facts.
FIXED = RESOURCE + "SovietInvasionOfPoland"


@dataclass(frozen=True)
class Shape:
    name: str
    #: SPARQL with ``{resource}`` where the varied variant puts another resource (an IRI).
    template: str
    #: SELECT over the store whose ``?r`` values are the resources of the varied variant.
    resources: str
    accept: str = JSON
    #: Heavier shapes are also measured at the high connection count.
    heavy: bool = False

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.name.lower())

    def query(self, resource: str = FIXED) -> str:
        return PREFIXES + self.template.replace("{resource}", f"<{resource}>")


#: Entities of the data graph (anything with a label), for lookups and descriptions.
_ENTITIES = """SELECT DISTINCT ?r WHERE {
  ?r rdfs:label ?label FILTER(STRSTARTS(STR(?r), STR(kgr:)))
  FILTER NOT EXISTS { ?r a rdf:Statement }
} ORDER BY ?r"""

#: Resources with at least one fact quoted from the article.
_QUOTED = """SELECT DISTINCT ?r WHERE {
  ?statement rdf:subject ?r ; prov:wasDerivedFrom ?evidence .
  ?evidence kg:section ?section ; oa:hasSelector/oa:exact ?quote .
} ORDER BY ?r"""

#: Dated events: the join's varied variant leaves one of them out per request.
_EVENTS = """SELECT DISTINCT ?r WHERE {
  ?r a kg:Event ; kg:startDate|kg:pointInTime ?date
} ORDER BY ?r"""

SHAPES = (
    Shape(
        "point lookup",
        "SELECT ?p ?o WHERE { {resource} ?p ?o }",
        _ENTITIES,
    ),
    Shape(
        "join + ORDER BY",
        """SELECT ?event ?label ?date ?place ?placeLabel WHERE {
  ?event a kg:Event ; rdfs:label ?label ; kg:startDate|kg:pointInTime ?date .
  OPTIONAL { ?event kg:location ?place . ?place rdfs:label ?placeLabel }
  FILTER(LANGMATCHES(LANG(?label), "en") && ?event != {resource})
} ORDER BY ?date ?event ?place""",
        _EVENTS,
        heavy=True,
    ),
    Shape(
        # The README's pattern: it starts from the one selective triple (rdf:subject <x>),
        # never from a leading `?statement a rdf:Statement`, which would scan every statement.
        "provenance",
        """SELECT ?property ?value ?quote ?section ?citation WHERE {
  ?statement rdf:subject {resource} ;
             rdf:predicate ?property ; rdf:object ?value ;
             prov:wasDerivedFrom ?evidence .
  ?evidence kg:section ?section ; oa:hasSelector/oa:exact ?quote .
  OPTIONAL { ?evidence kg:citation ?citation }
}""",
        _QUOTED,
        heavy=True,
    ),
    Shape(
        "aggregate",
        """SELECT ?property (COUNT(?statement) AS ?facts) WHERE {
  ?statement rdf:predicate ?property ; rdf:subject ?subject .
  FILTER(?subject != {resource})
} GROUP BY ?property ORDER BY DESC(?facts) ?property""",
        _QUOTED,
        heavy=True,
    ),
    Shape(
        "CONSTRUCT",
        "CONSTRUCT { {resource} ?p ?o } WHERE { {resource} ?p ?o }",
        _ENTITIES,
        accept=TURTLE,
    ),
)


def count_answer(shape: Shape, status: int, content_type: str, body: bytes) -> int:
    """Rows (or triples) in an answer; raises ValueError when it is not a proper answer."""
    import pyoxigraph as ox

    if status != 200:
        raise ValueError(f"{shape.name}: HTTP {status}: {body[:200]!r}")
    if shape.accept == TURTLE:
        if not content_type.startswith("text/turtle"):
            raise ValueError(f"{shape.name}: answered {content_type}, not Turtle")
        return len(list(ox.parse(body, ox.RdfFormat.TURTLE)))
    if not content_type.startswith(JSON):
        raise ValueError(f"{shape.name}: answered {content_type}, not SPARQL JSON")
    rows = list(ox.parse_query_results(body, ox.QueryResultsFormat.JSON))
    if rows and any(row[0] is None for row in rows):
        raise ValueError(f"{shape.name}: a row without its first variable")
    return len(rows)
