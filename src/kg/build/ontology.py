"""The ontology's class names, which let the build tell whether a quote calls a thing by
its class ("a military operation"): then the class is the article's word, not the curator's."""

from functools import cache

from pyoxigraph import NamedNode, RdfFormat, parse

from kg import iris

RDFS_LABEL = iris.PREFIXES["rdfs"] + "label"


@cache
def _class_labels() -> dict[str, str]:
    with open(iris.ONTOLOGY_DIR / "kg.ttl", "rb") as ontology:
        return {
            triple.subject.value: triple.object.value
            for triple in parse(ontology, format=RdfFormat.TURTLE)
            if triple.predicate.value == RDFS_LABEL and getattr(triple.object, "language", None)
            == "en"
        }


def class_label(cls: NamedNode) -> str | None:
    """The English label of a kg: class ("military operation"), or None for another IRI."""
    return _class_labels().get(cls.value)
