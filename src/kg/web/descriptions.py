"""What the store says about one resource: its RDF description.

The description is one SPARQL CONSTRUCT over the asserted graphs (``DESCRIPTION_QUERY``):
the resource's own triples (facts, labels, links), the ``rdf:Statement`` nodes of its
facts with their evidence (``oa:SpecificResource`` and selectors) or the ``prov:Activity``
that produced them, and the triples that point at it. The RDF answer of ``/resource/X``
is exactly that graph; the HTML page (``kg.web.resource_page``) reads the same graph.
"""

import pyoxigraph as ox

from kg import formats, iris
from kg.web.page_sparql import ASSERTED_GRAPHS, construct

#: How a statement reaches the activity that produced it, or its evidence spans (the one it
#: is derived from, or those an inference used) and their selectors; from an evidence node,
#: its selectors. Not on through the activity's own ``prov:used`` (the whole article).
#: Written as alternatives of plain sequences, each one step or two: engines such as
#: Virtuoso answer nothing for an alternative inside a sequence, or refuse an optional step
#: whose ends are both unbound (docs/scaling.md). The zero-length step is left out: the
#: query's other branches already give the resource's and its statements' own triples.
PROVENANCE_PATH = ("(prov:wasGeneratedBy|prov:wasDerivedFrom|prov:used|oa:hasSelector"
                   "|prov:wasDerivedFrom/oa:hasSelector|prov:used/oa:hasSelector)")

DESCRIPTION_QUERY = """\
# The description of {iri}: its facts, their statements and evidence, and links to it,
# as asserted (the ontology and data graphs, not what the reasoner added).
CONSTRUCT {{ ?s ?p ?o }}
{graphs}
WHERE {{
  {{ {iri} ?p ?o BIND({iri} AS ?s) }}
  UNION {{ ?s rdf:subject {iri} ; ?p ?o }}
  UNION {{ ?statement rdf:subject {iri} . ?statement {path} ?s . ?s ?p ?o }}
  UNION {{ {iri} {path} ?s . ?s ?p ?o }}
  UNION {{ ?s ?p {iri} BIND({iri} AS ?o) }}
}}
"""


def description_query(iri: str) -> str:
    """The CONSTRUCT that yields a resource's description (also offered on its page)."""
    graphs = "\n".join(f"FROM {ox.NamedNode(g)}" for g in ASSERTED_GRAPHS)
    return DESCRIPTION_QUERY.format(iri=str(ox.NamedNode(iri)), path=PROVENANCE_PATH,
                                    graphs=graphs)


def describe(iri: str) -> tuple[list[ox.Triple], bool]:
    """The description of ``iri`` (empty when the store knows nothing of it), and whether
    the row limit cut it."""
    return construct(description_query(iri))


def serialize(triples: list[ox.Triple], format_name: str, first: str | None = None) -> bytes:
    """The triples in a format, sorted so that each subject's triples stay together (the
    ``first`` subject, the resource described, at the top)."""
    ordered = sorted(triples, key=lambda t: (t.subject.value != first, str(t.subject),
                                             str(t.predicate), str(t.object)))
    return ox.serialize(ordered, format=formats.BY_NAME[format_name].oxigraph,
                        prefixes=iris.PREFIXES)
