"""The query page's example queries: one ``.rq`` file each, a question a reader asks.

A file opens with comment lines that describe it::

    # title: When did the Soviet invasion of Poland start and end?
    # needs: the operator to allow SERVICE <https://query.wikidata.org/sparql>
    # Any other comment lines before the query explain it.

``title`` is required (it is the menu entry); ``needs`` marks a query that only runs
when the operator enables something. The file name orders the menu. Each example is
also a test (tests/test_examples.py) that runs it against a real server.
"""

from dataclasses import dataclass
from importlib.resources import files


@dataclass(frozen=True)
class Example:
    """One example query, as the menu and the tests see it."""

    name: str
    title: str
    description: str
    needs: str | None
    query: str


def parse(name: str, text: str) -> Example:
    """Read the header comments of one example file."""
    fields: dict[str, str] = {}
    description = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        key, sep, value = body.partition(":")
        if sep and key in ("title", "needs"):
            fields[key] = value.strip()
        elif body:
            description.append(body)
    if "title" not in fields:
        raise ValueError(f"example {name} has no '# title:' line")
    return Example(name, fields["title"], " ".join(description), fields.get("needs"), text)


def load_examples() -> list[Example]:
    """Every example shipped with the package, in file-name order."""
    folder = files(__package__)
    paths = sorted(
        (p for p in folder.iterdir() if p.name.endswith(".rq")), key=lambda p: p.name
    )
    return [parse(p.name.removesuffix(".rq"), p.read_text(encoding="utf-8")) for p in paths]
