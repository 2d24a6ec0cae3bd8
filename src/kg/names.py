"""Comparing names the way a reader does: "Lwów", "LWOW" and "lwow" are one name.

Reconciliation matches spreadsheet cells against our labels, and ``kg links check``
compares our labels with Wikidata's; both fold names with :func:`fold` and score them
with :func:`similarity`, so the two agree on what "the same name" means.
"""

import re
import unicodedata
from difflib import SequenceMatcher

# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i",
})
_NOT_WORD = re.compile(r"[\W_]+")


def fold(name: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: "Łuck" -> "luck"."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSED))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare.casefold()).strip()


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0..1, after folding: 1 for the same name spelled differently."""
    a, b = fold(a), fold(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = SequenceMatcher(None, a, b).ratio()
    words_a, words_b = set(a.split()), set(b.split())
    overlap = len(words_a & words_b) / len(words_a | words_b)
    # A name that is a whole-word part of the other ("Stalin" in "Joseph Stalin") is close.
    contained = 0.9 if words_a <= words_b or words_b <= words_a else 0.0
    return max(ratio, overlap, contained)
