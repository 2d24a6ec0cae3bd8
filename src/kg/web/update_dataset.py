"""The protocol's ``using-graph-uri`` / ``using-named-graph-uri``, applied by rewriting the update.

SPARQL 1.1 Protocol section 2.2.3: the parameters give the dataset of the WHERE clause
of every operation, as ``USING`` / ``USING NAMED`` would, and an update that has its own
``USING`` or ``WITH`` is an error. pyoxigraph's update API takes no dataset, so each
operation is given the clauses in its text: ``… USING <g> USING NAMED <h> WHERE {…}``,
and ``DELETE WHERE {P}``, which has no room for them, becomes its long form
``DELETE {P} USING … WHERE {P}``. rdflib's grammar (a real parse) says which
operations there are and that none has USING or WITH; a small tokenizer that knows
strings, IRIs and comments finds where each operation's WHERE begins, at brace depth 0,
and the two must agree before anything is rewritten.
"""

import re

import pyoxigraph as ox
from werkzeug.exceptions import BadRequest

from kg.store.syntax import ParseException, parseUpdate

#: What the tokenizer tells apart; only braces, semicolons and words matter at depth 0.
_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\''(?:[^'\\]|\\.|'(?!''))*'\'\''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>\{) | (?P<close>\})
  | (?P<word>[^\s{}()<>"'\#,;]+)
  | (?P<other>\S)
''', re.VERBOSE | re.DOTALL)


def apply(update: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> str:
    """The update with the protocol dataset written into each operation's WHERE clause."""
    if not default_graphs and not named_graphs:
        return update
    try:
        operations = parseUpdate(update).request
    except ParseException as error:
        raise BadRequest(f"update syntax (as using-graph-uri needs it parsed): {error}") from None
    if any("withClause" in op or "using" in op for op in operations):
        raise BadRequest("using-graph-uri / using-named-graph-uri cannot be combined with an "
                         "update that has USING, USING NAMED or WITH (SPARQL 1.1 Protocol 2.2.3)")
    clauses = " ".join([f"USING {ox.NamedNode(g)}" for g in default_graphs]
                       + [f"USING NAMED {ox.NamedNode(g)}" for g in named_graphs])
    wheres = _wheres(update)
    kinds = [op.name for op in operations if op.name in ("Modify", "DeleteWhere")]
    if [kind for kind, *_ in wheres] != kinds:
        raise BadRequest("cannot tell where this update's WHERE clauses are; write USING "
                         "in the update instead of using-graph-uri")
    rewritten, done = [], 0
    for kind, start, pattern_start, pattern_end in wheres:
        rewritten.append(update[done:start])
        pattern = update[pattern_start:pattern_end]
        if kind == "Modify":
            rewritten.append(f" {clauses} WHERE {pattern}")
        else:  # DELETE WHERE {P}  ->  DELETE {P} USING ... WHERE {P}
            rewritten.append(f"DELETE {pattern} {clauses} WHERE {pattern}")
        done = pattern_end
    return "".join(rewritten) + update[done:]


def _wheres(update: str) -> list[tuple[str, int, int, int]]:
    """(operation kind, where its rewrite starts, its WHERE pattern's start and end) for each
    depth-0 WHERE: ``Modify`` at the WHERE keyword, ``DeleteWhere`` at its DELETE."""
    found, depth, previous, pending = [], 0, None, None
    for match in _TOKEN.finditer(update):
        kind, text = match.lastgroup, match.group()
        if kind == "open":
            if depth == 0 and pending is not None:
                pattern_start = match.start()
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0 and pending is not None:
                found.append((*pending, pattern_start, match.end()))
                pending = None
        elif depth == 0 and kind == "word" and text.upper() == "WHERE":
            if previous is not None and previous.group().upper() == "DELETE":
                pending = ("DeleteWhere", previous.start())
            else:
                pending = ("Modify", match.start())
        if kind != "comment" and depth == 0:
            previous = match
    return found
