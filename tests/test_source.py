"""The shipped article is the one the evidence offsets index."""

import hashlib

from kg.source import article_text

# SHA-256 of ../shared/source/soviet-invasion-of-poland.txt as retrieved 2026-11-24.
ARTICLE_SHA256 = "6dba9c98f9b8d858307d2825ce4e3b165220c7e7df1c0d43f035aed26ae15ba1"


def test_shipped_article_is_byte_identical_to_the_retrieved_text():
    data = article_text().encode("utf-8")
    assert hashlib.sha256(data).hexdigest() == ARTICLE_SHA256
