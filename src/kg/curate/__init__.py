"""The curated source: what a historian reviews in a pull request.

``statements/*.yaml`` holds one record per sentence or infobox line of the article:
the quote (the article's exact words), where it is (section, reference markers) and
the facts, entities and claims its words state (``kg build`` checks that they do), and
under ``inferred`` the facts the curator read from those words, each group with its
``reason``. ``mentions`` maps a word of the quote to the resource it names when no label
does ("Soviet": SovietUnion), and an inference's ``used`` the other sentences its reason
rests on; ``hedges`` says, for a qualifying word of the quote
("several", "part of"), why the data needs no qualification for it. ``activities.yaml``
describes the work behind facts no span states; ``wikidata.tsv`` the checked Wikidata
links. This module only reads and shape-checks them; turning them into RDF is
``kg.build``'s job.
"""

import csv
import re
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import yaml

#: The article parts a quote may come from (kg:section values).
SECTIONS = ("Infobox", "Image caption", "Lead", "Background", "Other languages")
#: Keys a statement record may carry; anything else is a typo a reviewer should see.
RECORD_KEYS = {
    "quote", "occurrence", "prefix", "section", "citation", "mentions", "hedges",
    "entities", "facts", "claims", "inferred",
}
INFERRED_KEYS = {"reason", "facts", "used"}
ENTITY_KEYS = {"name", "class", "label", "alt"}
CLAIM_KEYS = {
    "name", "class", "label", "about", "quantityKind", "side", "minimum", "maximum",
    "approximate", "unit", "claimant", "accordingTo", "proposition",
}
WIKIDATA_COLUMNS = ["resource", "qid", "match", "wikidata_label", "evidence"]
#: A resource's local name as the curated files write it (``SovietInvasionOfPoland``).
LOCAL_NAME = re.compile(r"[A-Za-z0-9_-]+")


class CurationError(ValueError):
    """A curated record that does not have the shape the build expects."""


@dataclass(frozen=True)
class Record:
    """One reviewed record: a quote with the facts it states, or an activity's facts."""

    where: str  # "lead.yaml#3": names the record in every error message
    quote: str
    section: str
    citation: str | None
    occurrence: int | None
    prefix: str | None
    mentions: dict[str, str] = field(default_factory=dict)  # word of the quote -> resource
    hedges: dict[str, str] = field(default_factory=dict)  # qualifying word -> why it needs none
    entities: list[dict[str, Any]] = field(default_factory=list)
    facts: list[list[Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    inferred: list["Inference"] = field(default_factory=list)


@dataclass(frozen=True)
class Inference:
    """Facts the curator read from a record's words but the words do not state, and why.

    ``used`` names the other records whose spans the reason also rests on ("the next
    sentence says ..."), each by the beginning of its quote; the record's own span is
    always used.
    """

    reason: str
    facts: list[list[Any]]
    used: tuple[str, ...] = ()


@dataclass(frozen=True)
class WikidataLink:
    """One checked link: our resource, its QID, exact or close, and where it was checked."""

    resource: str
    qid: str
    match: str
    wikidata_label: str
    evidence: str


def _check_keys(where: str, item: dict, allowed: set[str]) -> None:
    unknown = set(item) - allowed
    if unknown:
        raise CurationError(f"{where}: unknown keys {sorted(unknown)}")


def parse_record(where: str, raw: dict[str, Any]) -> Record:
    """Shape-check one YAML record: a quote with a section, its facts and inferences."""
    if not isinstance(raw, dict):
        raise CurationError(f"{where}: a record is a mapping, got {type(raw).__name__}")
    _check_keys(where, raw, RECORD_KEYS)
    quote = raw.get("quote")
    if quote is None:
        raise CurationError(f"{where}: a record needs the 'quote' its facts come from")
    section = raw.get("section")
    if section not in SECTIONS:
        raise CurationError(f"{where}: section must be one of {SECTIONS}, got {section!r}")
    for entity in raw.get("entities", []):
        _check_keys(where, entity, ENTITY_KEYS)
        if not {"name", "class", "label"} <= set(entity):
            raise CurationError(f"{where}: an entity needs name, class and label: {entity}")
    for claim in raw.get("claims", []):
        _check_keys(where, claim, CLAIM_KEYS)
        if not {"name", "class", "label"} <= set(claim):
            raise CurationError(f"{where}: a claim needs name, class and label: {claim}")
    inferred = []
    for group in raw.get("inferred", []):
        _check_keys(where, group, INFERRED_KEYS)
        if not (group.get("reason") and group.get("facts")):
            raise CurationError(f"{where}: inferred facts need a 'reason' and 'facts'")
        used = group.get("used", [])
        if not (isinstance(used, list) and all(isinstance(u, str) for u in used)):
            raise CurationError(f"{where}: 'used' lists the beginnings of other records' quotes")
        inferred.append(Inference(str(group["reason"]), group["facts"], tuple(used)))
    for fact in raw.get("facts", []) + [f for group in inferred for f in group.facts]:
        if not (isinstance(fact, list) and len(fact) == 3):
            raise CurationError(f"{where}: a fact is [subject, property, object], got {fact}")
    if not (raw.get("facts") or raw.get("entities") or raw.get("claims") or inferred):
        raise CurationError(f"{where}: a record states no facts, entities or claims")
    for key in ("mentions", "hedges"):
        if not isinstance(raw.get(key, {}), dict):
            raise CurationError(f"{where}: '{key}' maps a word of the quote to a value")
    return Record(
        where=where,
        quote=str(quote),
        section=section,
        citation=raw.get("citation"),
        occurrence=raw.get("occurrence"),
        prefix=raw.get("prefix"),
        mentions={str(k): str(v) for k, v in raw.get("mentions", {}).items()},
        hedges={str(k): str(v) for k, v in raw.get("hedges", {}).items()},
        entities=raw.get("entities", []),
        facts=raw.get("facts", []),
        claims=raw.get("claims", []),
        inferred=inferred,
    )


def load_records() -> list[Record]:
    """Every record of ``statements/*.yaml``, files in name order, records in file order."""
    records = []
    folder = files(__package__).joinpath("statements")
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".yaml"):
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for index, item in enumerate(raw, start=1):
            records.append(parse_record(f"{path.name}#{index}", item))
    return records


def load_activities() -> dict[str, dict[str, Any]]:
    """The activities (retrieval, curation, Wikidata linking) behind facts no span states."""
    text = files(__package__).joinpath("activities.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_wikidata_links() -> list[WikidataLink]:
    """The checked Wikidata links (``wikidata.tsv``, tab-separated, with a header line)."""
    table = files(__package__).joinpath("wikidata.tsv")
    if not table.is_file():
        raise CurationError("src/kg/curate/wikidata.tsv is missing: the checked Wikidata links")
    text = table.read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0] != WIKIDATA_COLUMNS:
        raise CurationError(f"wikidata.tsv: header must be {WIKIDATA_COLUMNS}")
    links = []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(WIKIDATA_COLUMNS):
            raise CurationError(f"wikidata.tsv line {number}: expected 5 columns, got {row}")
        link = WikidataLink(*row)
        if link.match not in ("exact", "close"):
            raise CurationError(f"wikidata.tsv line {number}: match must be exact or close")
        links.append(link)
    return links


#: The heading of ``wikidata-unresolved.md``'s table of entities left without a link.
UNLINKED_HEADING = "## Entities left without a link"


def load_unlinked_reasons() -> dict[str, str]:
    """Why each entity of ``wikidata-unresolved.md``'s table has no Wikidata link.

    The table's rows are ``| Name, OtherName | what was searched | why no link |``; a row
    may name several resources, and the reason (its last cell) is given for each.
    """
    text = files(__package__).joinpath("wikidata-unresolved.md").read_text(encoding="utf-8")
    _, found, table = text.partition(UNLINKED_HEADING)
    if not found:
        raise CurationError(f"wikidata-unresolved.md: no {UNLINKED_HEADING!r} section")
    reasons = {}
    for line in table.split("\n## ", 1)[0].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or cells[0] == "resource" \
                or set(cells[0]) <= set("- "):
            continue  # not a row, the header row, or the rule under it
        for name in cells[0].split(","):
            if LOCAL_NAME.fullmatch(name.strip()):
                reasons[name.strip()] = cells[-1]
    return reasons
