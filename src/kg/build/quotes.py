"""Finding a curated quote in the article, and the reference markers beside it.

A quote is only evidence if it points at exactly one place in the article; this
module refuses quotes that do not occur, or occur more than once without a hint
(``occurrence`` or ``prefix``) that picks one, so a reviewer never has to guess
which words a fact came from.
"""

import re
from dataclasses import dataclass

#: Characters of context kept before and after a quote (oa:prefix / oa:suffix).
CONTEXT_CHARS = 32

#: One reference marker as the article prints it: ``[1]``, ``[Note 3]``, ``[5]:85`` (a page).
MARKER = re.compile(r"\[(?:(\d+)|Note (\d+))\](?::(\d+))?")


class QuoteError(ValueError):
    """A curated record whose quote cannot be pinned to one span of the article."""


@dataclass(frozen=True, order=True)
class Span:
    """Where a quote sits in the article: Python ``str`` indices, end exclusive."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``quote``."""
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def find_quote(
    text: str,
    quote: str,
    *,
    where: str,
    occurrence: int | None = None,
    prefix: str | None = None,
) -> Span:
    """The one span of ``text`` that ``quote`` designates.

    ``occurrence`` (1-based) or ``prefix`` (text that must end right before the
    quote) pick one of several occurrences; ``where`` names the record in errors.
    """
    if not quote:
        raise QuoteError(f"{where}: empty quote")
    starts = occurrences(text, quote)
    if not starts:
        raise QuoteError(f"{where}: quote does not occur in the article: {quote!r}")
    if prefix is not None:
        starts = [s for s in starts if text[:s].endswith(prefix)]
        if not starts:
            raise QuoteError(f"{where}: no occurrence of {quote!r} follows prefix {prefix!r}")
    if occurrence is not None:
        if not 1 <= occurrence <= len(starts):
            raise QuoteError(
                f"{where}: occurrence {occurrence} asked, but {quote!r} occurs {len(starts)} times"
            )
        starts = [starts[occurrence - 1]]
    if len(starts) > 1:
        raise QuoteError(
            f"{where}: quote occurs {len(starts)} times (at {starts}); "
            f"add 'occurrence' or 'prefix' to pick one: {quote!r}"
        )
    return span_at(text, starts[0], starts[0] + len(quote))


def span_at(text: str, start: int, end: int) -> Span:
    """The span ``text[start:end]`` with its context."""
    return Span(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


def reference_names(citation: str) -> list[str]:
    """The kgr: local names of the references a citation cites: ``[5]:85[Note 1]`` ->
    ``["ref-5-p85", "note-1"]`` (page 85 of reference 5, a resource of its own).
    Raises ``ValueError`` on anything that is not markers."""
    names, at = [], 0
    for match in MARKER.finditer(citation):
        if match.start() != at:
            break
        number, note, page = match.groups()
        name = f"ref-{number}" if number else f"note-{note}"
        names.append(name + (f"-p{page}" if page else ""))
        at = match.end()
    if at != len(citation) or not names:
        raise ValueError(f"not a sequence of reference markers: {citation!r}")
    return names


def citation_span(text: str, span: Span, citation: str, *, where: str) -> tuple[int, int]:
    """Where the record's citation is printed: inside the quote or right after it
    (past at most a punctuation mark). A citation the article does not print there is refused."""
    window_end = span.end + len(citation) + 1
    at = text.find(citation, span.start, window_end)
    if at == -1:
        raise QuoteError(
            f"{where}: citation {citation!r} is not printed in or right after the quote "
            f"(after the quote: {text[span.end : window_end]!r})"
        )
    return at, at + len(citation)
