"""Finding entities by any of their labels, the way a reader types them.

The query page completes entity names as the user types ("Lwow", "luck", "Bialystok")
while the graph holds "Lwów", "Łuck", "Białystok" and titles in other languages. This
module folds case and accents on both sides and ranks matches; it knows nothing of
Flask or of the store, so it is tested on plain rows.
"""

import unicodedata
from dataclasses import dataclass, field

#: Letters that Unicode does not decompose into a base letter and a mark, yet a reader
#: types without the diacritic (Polish ł above all: "Łuck" is typed "Luck").
_UNDECOMPOSED = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ħ": "h", "ı": "i",
    "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th",
    "–": "-", "—": "-", "’": "'",
})


def fold(text: str) -> str:
    """Lower case, no accents: ``fold("Włodzimierz Wołyński") == "wlodzimierz wolynski"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.casefold()


@dataclass
class Entity:
    """One IRI with every label it has, and what it is."""

    iri: str
    labels: list[tuple[str, str]] = field(default_factory=list)  # (text, language tag or "")
    types: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        """The label to show: English first, then an untagged one, then any."""
        english = [text for text, lang in self.labels if lang.lower().split("-")[0] == "en"]
        untagged = [text for text, lang in self.labels if not lang]
        anything = [text for text, _ in self.labels]
        return next(iter(english + untagged + anything), self.iri)


#: How well a label matches what was typed; lower is better.
EXACT, PREFIX, WORD_PREFIX, INSIDE = range(4)


def _rank(needle: str, label: str) -> int | None:
    folded = fold(label)
    if folded == needle:
        return EXACT
    if folded.startswith(needle):
        return PREFIX
    if any(word.startswith(needle) for word in folded.replace("-", " ").split()):
        return WORD_PREFIX
    if needle in folded:
        return INSIDE
    return None


class LabelIndex:
    """All labels of a graph, searchable by folded text."""

    def __init__(self, rows, local_name):
        """``rows``: dicts with iri, label, lang (may be empty) and type (may be None).

        ``local_name(iri)`` gives the name after the namespace (``Lwow``), so that
        typing the name of a resource as it appears in queries finds it too.
        """
        self.entities: dict[str, Entity] = {}
        self._local_name = local_name
        for row in rows:
            entity = self.entities.setdefault(row["iri"], Entity(row["iri"]))
            pair = (row["label"], row.get("lang") or "")
            if row["label"] and pair not in entity.labels:
                entity.labels.append(pair)
            if row.get("type"):
                entity.types.add(row["type"])

    def search(self, text: str, limit: int = 10) -> list[tuple[Entity, str]]:
        """The best ``limit`` entities for ``text``, each with the label that matched."""
        needle = fold(text.strip())
        if not needle:
            return []
        found = []
        for entity in self.entities.values():
            candidates = [*entity.labels, (self._local_name(entity.iri), "")]
            best = None
            for label, _lang in candidates:
                rank = _rank(needle, label)
                if rank is not None and (best is None or rank < best[0]):
                    best = (rank, label)
            if best:
                found.append((best[0], len(entity.label), entity.label, entity, best[1]))
        found.sort(key=lambda hit: hit[:3])
        return [(entity, matched) for *_, entity, matched in found[:limit]]

    def labels_of(self, iris) -> dict[str, str]:
        """The label to show for each IRI that has one."""
        return {iri: self.entities[iri].label for iri in iris if iri in self.entities}
