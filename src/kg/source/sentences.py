"""The article's sentences, as offsets into its text, so pages can show a quote in context.

A sentence ends at ``.``, ``!`` or ``?`` together with the reference markers that follow
it (``…Soviet Union.[7]``, ``…1941.[Note 6]``), before whitespace or a capital letter
(the article has ``[Note 6]Soviet forces`` with no space). Every line that holds no such
ending (an infobox line, a title, an "Other Languages" entry) is one sentence. Offsets
are ``str`` indices, end exclusive, as the evidence offsets are.
"""

import re

#: A sentence's end: its punctuation, any reference markers after it (``[1]``, ``[Note 5]``,
#: ``[5]:85``), then a space or the capital letter that opens the next sentence.
_END = re.compile(r"[.!?](?:\[[^\]\n]{1,20}\](?::\d+)?)*(?=\s|[A-Z]|$)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Every sentence of ``text`` as ``(start, end)``, in order, without surrounding blanks."""
    spans = []
    line_start = 0
    for line in text.split("\n"):
        start = 0
        for end in [m.end() for m in _END.finditer(line)] + [len(line)]:
            piece = line[start:end]
            if piece.strip():
                begin = start + len(piece) - len(piece.lstrip())
                spans.append((line_start + begin, line_start + start + len(piece.rstrip())))
            start = end
        line_start += len(line) + 1
    return spans


def enclosing(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The stretch of whole sentences that ``[start, end)`` touches (the span itself if none)."""
    touched = [s for s in spans if s[0] < max(end, start + 1) and start < s[1]]
    if not touched:
        return start, end
    return min(start, touched[0][0]), max(end, touched[-1][1])
