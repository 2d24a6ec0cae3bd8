"""The search index: every name of every resource, Wikidata's labels and the article's quotes,
in a SQLite FTS5 table beside each store version.

``kg load`` builds it from the store it has just loaded (``build_index``), so it is rebuilt
exactly when the store is, and a version's index always matches its data. The site's
search (``/search``) asks it (``search``). Names and queries are folded alike
(``kg.names.fold``: case, accents, Polish ł), so "lwow" finds "Lwów" and "LUCK" finds
"Łuck"; each word of a query matches the start of a word ("nkv" finds "NKVD").
"""

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import iris
from kg.names import fold

#: The index's file name inside a store version directory.
INDEX_FILE = "search.sqlite"
#: How ``kg build`` words a Wikidata link's check (``kg.build.graph.wikidata_facts``):
#: ``Checked against Wikidata label 'Lviv': <where the QID was confirmed>``.
WIKIDATA_CHECK = re.compile(r"Checked against Wikidata label (?P<q>['\"])(?P<label>.*?)(?P=q): ")
#: The kinds of hit, in the order a results page groups them.
KINDS = {"entity": "Resources", "claim": "Claims and figures", "quote": "Quotes from the article"}
#: Most hits one search returns.
MAX_HITS = 200

_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in iris.PREFIXES.items())

NAMES_QUERY = _PREFIXES + """\
SELECT ?iri ?name ?lang ?how ?class WHERE {
  { ?iri rdfs:label ?name BIND("label" AS ?how) }
  UNION { ?iri skos:altLabel ?name BIND("other name" AS ?how) }
  UNION { ?iri kg:proposition ?name BIND("proposition" AS ?how) }
  FILTER(STRSTARTS(STR(?iri), STR(kgr:)))
  BIND(LANG(?name) AS ?lang)
  OPTIONAL { ?iri a ?class }
}
"""

WIKIDATA_QUERY = _PREFIXES + """\
SELECT ?iri ?check WHERE {
  ?statement prov:wasGeneratedBy kgr:activity-wikidata-linking ;
             rdf:subject ?iri ; rdfs:comment ?check .
}
"""

QUOTES_QUERY = _PREFIXES + """\
SELECT ?evidence ?exact ?statement ?subject WHERE {
  ?evidence a oa:SpecificResource ; oa:hasSelector/oa:exact ?exact .
  OPTIONAL { ?statement prov:wasDerivedFrom|prov:used ?evidence ; rdf:subject ?subject }
}
"""

#: Classes whose members are provenance, not things a reader searches for by name.
_PROVENANCE = {iris.PREFIXES["rdf"] + "Statement", iris.PREFIXES["oa"] + "SpecificResource",
               iris.PREFIXES["prov"] + "Activity"}
_CLAIMS = {iris.term("QuantityClaim"), iris.term("PropositionClaim")}

SCHEMA = """\
CREATE VIRTUAL TABLE entries USING fts5(
  folded,                      -- the name or quote, folded: what a query matches
  text UNINDEXED,              -- the name or quote as written
  kind UNINDEXED,              -- entity, claim or quote
  iri UNINDEXED,               -- what the hit leads to
  how UNINDEXED,               -- label, other name, Wikidata label, proposition, quote
  lang UNINDEXED,
  about UNINDEXED,             -- for a quote: JSON list of the resources its statements are about
  tokenize = "unicode61 remove_diacritics 2"
);
"""


@dataclass(frozen=True)
class Hit:
    kind: str
    iri: str
    text: str
    how: str
    lang: str
    about: tuple[str, ...] = ()


def index_path(version_dir: Path) -> Path:
    return Path(version_dir) / INDEX_FILE


def entries(store: ox.Store) -> list[tuple]:
    """Every row of the index, read from ``store`` (all graphs, as loaded)."""
    rows: dict[tuple, None] = {}
    classes: dict[str, set[str]] = {}
    names = []
    for row in store.query(NAMES_QUERY, use_default_graph_as_union=True):
        iri = row["iri"].value
        classes.setdefault(iri, set())
        if row["class"] is not None:
            classes[iri].add(row["class"].value)
        names.append((iri, row["name"].value, row["lang"].value, row["how"].value))
    for iri, name, lang, how in names:
        if classes[iri] & _PROVENANCE:
            continue
        kind = "claim" if classes[iri] & _CLAIMS else "entity"
        rows[(fold(name), name, kind, iri, how, lang, "[]")] = None
    for row in store.query(WIKIDATA_QUERY, use_default_graph_as_union=True):
        found = WIKIDATA_CHECK.match(row["check"].value)
        if found:
            label = found.group("label")
            rows[(fold(label), label, "entity", row["iri"].value, "Wikidata label", "en",
                  "[]")] = None
    about: dict[tuple[str, str], set[str]] = {}
    for row in store.query(QUOTES_QUERY, use_default_graph_as_union=True):
        key = (row["evidence"].value, row["exact"].value)
        about.setdefault(key, set())
        if row["subject"] is not None:
            about[key].add(row["subject"].value)
    for (evidence, exact), subjects in about.items():
        rows[(fold(exact), exact, "quote", evidence, "quote", "en",
              json.dumps(sorted(subjects)))] = None
    return sorted(rows)


def build_index(store: ox.Store, path: Path) -> int:
    """Write the index of ``store`` to ``path`` (replacing it); returns its row count."""
    path = Path(path)
    path.unlink(missing_ok=True)
    found = entries(store)
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", found)
    db.close()
    return len(found)


def match_expression(query: str) -> str | None:
    """The FTS5 query for what a reader typed: every folded word, as a word prefix."""
    words = fold(query).split()
    # A number is matched whole: "3,000" must not find "320,000".
    return " ".join(f'"{word}"' if word.isdigit() else f'"{word}"*' for word in words) or None


def search(path: Path, query: str, limit: int = MAX_HITS) -> list[Hit]:
    """The hits for ``query``, best first (FTS5's rank), from the index at ``path``."""
    expression = match_expression(query)
    if expression is None or not Path(path).is_file():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        found = db.execute(
            "SELECT kind, iri, text, how, lang, about FROM entries WHERE entries MATCH ? "
            "ORDER BY rank LIMIT ?", (expression, limit)).fetchall()
    db.close()
    return [Hit(kind, iri, text, how, lang, tuple(json.loads(about)))
            for kind, iri, text, how, lang, about in found]


def names(path: Path) -> list[tuple[str, str]]:
    """Every (resource IRI, name) of the index, for suggesting a near-miss URL."""
    if not Path(path).is_file():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        found = db.execute("SELECT iri, text FROM entries WHERE kind = 'entity'").fetchall()
    db.close()
    return found
