"""Splitting the article into sentences, for quotes in context and the article view."""

import re

from kg.source import article_text
from kg.source.sentences import enclosing, sentence_spans


def texts(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_a_sentence_keeps_its_reference_markers():
    text = "It began.[7] It ended.[Note 6]Then more,[10][11] came. Last [5]:85"
    assert texts(text) == ["It began.[7]", "It ended.[Note 6]", "Then more,[10][11] came.",
                           "Last [5]:85"]


def test_decimals_do_not_end_a_sentence_and_lines_do():
    text = "Some 13.5 million people.\nDate17 September\n\nResultSoviet victory"
    assert texts(text) == ["Some 13.5 million people.", "Date17 September",
                           "ResultSoviet victory"]


def test_sentences_cover_the_article_without_overlap():
    text = article_text()
    spans = sentence_spans(text)
    assert all(a < b <= c for (a, b), (c, _) in zip(spans, spans[1:], strict=False))
    # Only white space falls between sentences.
    assert re.sub(r"\s", "", "".join(text[a:b] for a, b in spans)) == re.sub(r"\s", "", text)


def test_a_quote_is_widened_to_the_sentences_it_touches():
    text = "First one. Second one. Third one."
    spans = sentence_spans(text)
    start = text.index("Second")
    assert text[slice(*enclosing(spans, start, start + 6))] == "Second one."
    assert text[slice(*enclosing(spans, 3, text.index("Second") + 3))] == \
        "First one. Second one."
