"""``kg links check`` and ``kg links export``: review our Wikidata links.

``check`` asks a Wikidata SPARQL endpoint about every linked item and lists the links
whose label, type or dates do not fit; it exits 0 when all fit, 1 when any is doubtful
and 3 when the endpoint cannot be reached (offline), so a scheduled job can tell a
bad link from a bad network. ``export`` writes the links as CSV, TSV or QuickStatements
for a Wikidata editor to review; ``export --unlinked`` the entities that have no link yet.
"""

import argparse
import csv
import sys
from pathlib import Path

from kg import iris, names
from kg import settings as settings_module
from kg.store import StoreError, open_store
from kg.wikidata import WIKIDATA_SPARQL, links, remote, unlinked

#: Exit statuses of ``kg links check``.
FIT, DOUBTFUL, OFFLINE = 0, 1, 3

EXPORT_COLUMNS = ["resource", "qid", "label", "wikidata_label", "match", "evidence"]
#: Table formats of ``kg links export``: the csv module's delimiter for each.
DELIMITERS = {"csv": ",", "tsv": "\t"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser("check", help="report links whose Wikidata item does not fit",
                           description=_doc(check_links))
    _source_arguments(check)
    check.add_argument("--endpoint", default=WIKIDATA_SPARQL,
                       help=f"Wikidata SPARQL endpoint (default {WIKIDATA_SPARQL})")
    check.add_argument("--timeout", type=float, default=remote.DEFAULT_TIMEOUT * 3,
                       help="seconds each of the two remote queries may take")
    check.set_defaults(action_run=check_links)
    export = sub.add_parser("export", help="write the links as CSV or QuickStatements",
                            description=_doc(export_links))
    _source_arguments(export)
    export.add_argument("--format", choices=(*DELIMITERS, "quickstatements"), default="csv")
    export.add_argument("--unlinked", action="store_true",
                        help="list the entities without a Wikidata link instead "
                             "(iri, label, class, reason; csv or tsv)")
    export.add_argument("--output", type=argparse.FileType("w", encoding="utf-8"),
                        default=sys.stdout, help="file to write (default: standard output)")
    export.set_defaults(action_run=export_links)


def _source_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data-file", default=iris.TRIPLES_FILE,
                        help="Turtle file holding the links (default data/triples.ttl)")
    source.add_argument("--from-store", action="store_true",
                        help="read the links from the loaded store (KG_STORE / --store) instead")
    settings_module.add_arguments(parser, ("store",))


def _graph(args):
    """The data file with the ontology (which says what an entity is), or the loaded store
    (local or remote): either is a source for ``links.select``."""
    if not args.from_store:
        if not Path(args.data_file).is_file():
            raise StoreError(f"no such data file: {args.data_file}")
        return links.read_graph(args.data_file, *sorted(iris.ONTOLOGY_DIR.glob("*.ttl")))
    settings = settings_module.Settings.load(args)
    return open_store(settings)


def _doc(function) -> str:
    return function.__doc__.split("\n\n")[0]


def run(args) -> int:
    try:
        return args.action_run(args)
    except StoreError as error:
        print(f"kg links: {error}", file=sys.stderr)
        return 2


def check_links(args) -> int:
    """Fetch each linked item's labels, P31 and dates; list the links that do not fit.

    Exit status: 0 all fit, 1 some doubtful, 3 endpoint unreachable.
    """
    found = links.read_links(_graph(args))
    limits = remote.Limits(timeout=args.timeout)
    try:
        findings = links.check(found, args.endpoint, limits)
    except remote.Unreachable as error:
        print(f"kg links check: offline? {error}. No link was checked.", file=sys.stderr)
        return OFFLINE
    except remote.RemoteError as error:
        print(f"kg links check: the endpoint failed: {error}. No link was checked.",
              file=sys.stderr)
        return OFFLINE
    doubtful = [finding for finding in findings if finding.doubts]
    for finding in doubtful:
        link = finding.link
        print(f"DOUBTFUL kgr:{link.local_name} skos:{link.match}Match wd:{link.qid} "
              f"({link.label!r} / {finding.item.label!r})")
        for doubt in finding.doubts:
            print(f"    {doubt}")
    print(f"{len(findings)} links checked against {args.endpoint}: "
          f"{len(findings) - len(doubtful)} fit, {len(doubtful)} doubtful")
    return DOUBTFUL if doubtful else FIT


def export_links(args) -> int:
    """Write every link with both labels, match type and evidence, for a Wikidata editor.

    CSV has one row per link. QuickStatements (v1, tab-separated) has one line per
    link: a command adding our English label as an alias (``Aen``) where that alias is
    certainly right (see :func:`alias_refusal`), otherwise only a comment saying why not.
    Every line's comment names the resource IRI, both labels and the start of the
    evidence, cut so that the edit summary Wikidata records stays under 500 characters.
    With ``--unlinked``, the entities that have no link instead, with the curator's reason.
    """
    if args.unlinked:
        return export_unlinked(args)
    found = links.read_links(_graph(args))
    wikidata_labels = _curated_wikidata_labels()
    rows = [{
        "resource": link.resource,
        "qid": link.qid,
        "label": link.label,
        "wikidata_label": wikidata_labels.get((link.local_name, link.qid), ""),
        "match": link.match,
        "evidence": link.evidence,
    } for link in found]
    if args.format in DELIMITERS:
        _write_table(args, EXPORT_COLUMNS, rows)
    else:
        for row in rows:
            args.output.write(_quickstatement(row, rows) + "\n")
    return 0


def export_unlinked(args) -> int:
    """Write every entity without a Wikidata link: IRI, label, class and the reason."""
    if args.format not in DELIMITERS:
        print("kg links export: --unlinked writes csv or tsv, not quickstatements",
              file=sys.stderr)
        return 2
    _write_table(args, unlinked.COLUMNS,
                 [entity.row() for entity in unlinked.read_unlinked(_graph(args))])
    return 0


def _write_table(args, columns: list[str], rows: list[dict]) -> None:
    # A cell holding the delimiter or a line break is quoted (csv.QUOTE_MINIMAL), as
    # spreadsheets expect in CSV and TSV alike.
    writer = csv.DictWriter(args.output, fieldnames=columns, lineterminator="\n",
                            delimiter=DELIMITERS[args.format])
    writer.writeheader()
    writer.writerows(rows)


def alias_refusal(row: dict, rows: list[dict]) -> str | None:
    """Why our label is not proposed as an English alias of the row's item, or None.

    An alias is added to Wikidata for every reader of the item, so only a certain one is
    proposed: the same thing (an exact match) under another name that names nothing else
    we link to. Our 1939 states carry their country's plain name ("France"), which is the
    label of the country of every period (Q142), not of the 1939 state (Q70802).
    """
    if row["match"] != "exact":
        return "a close match names the thing in another sense"
    if not row["wikidata_label"]:
        return "no Wikidata label was recorded for it in wikidata.tsv"
    if names.fold(row["label"]) == names.fold(row["wikidata_label"]):
        return "the labels agree"
    for other in rows:
        if other["qid"] == row["qid"]:
            continue
        if names.fold(other["wikidata_label"]) == names.fold(row["label"]):
            return f"{row['label']!r} is the Wikidata label of {other['qid']}"
        if other["resource"] == row["resource"]:
            return (f"the resource is also a {other['match']} match of {other['qid']} "
                    f"{other['wikidata_label']!r}, whose name ours may be")
    return None


#: MediaWiki keeps at most 500 characters of an edit summary. For an alias added by a
#: QuickStatements batch, Wikidata records Wikibase's autocomment with the alias, then
#: QuickStatements' tag, the line's comment and the batch link with the editor's name
#: (magnusmanske/quickstatements: runAction, runNextCommandInBatch). The comment gets
#: what is left, counting a batch number of 10 digits and a user name of 85 characters.
RECORDED_SUMMARY = ("/* wbsetaliases-add:1|en */ {alias}, #quickstatements; {comment}; "
                    "[[:toollabs:quickstatements/#/batch/{batch}|batch #{batch}]] "
                    "by [[User:{user}|]]")
SUMMARY_LIMIT = 500
MATCH_PHRASES = {"exact": "an exact match", "close": "a close match"}


def _quickstatement(row: dict, rows: list[dict]) -> str:
    refusal = alias_refusal(row, rows)
    alias = "" if refusal else row["label"].replace('"', "'")
    said = (f"{row['resource']} {row['label']!r} is {MATCH_PHRASES[row['match']]} of "
            f"{row['qid']} {row['wikidata_label']!r}")
    said = f"no alias ({refusal}): {said}" if refusal else f"alias from {said}"
    fixed = RECORDED_SUMMARY.format(alias=alias, comment="", batch="0" * 10, user="u" * 85)
    # "*/" would end the comment early; it is spelled apart before the comment is cut.
    said = f"{said}; {row['evidence']}".replace("*/", "* /")
    comment = _cut(said, SUMMARY_LIMIT - 1 - len(fixed))
    if refusal:
        return f"/* {comment} */"
    return f'{row["qid"]}\tAen\t"{alias}"\t/* {comment} */'


def _cut(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word with "…" if longer than ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0] + "…"


def _curated_wikidata_labels() -> dict[tuple[str, str], str]:
    """The Wikidata label each link was checked against, from the curated table."""
    from kg import curate

    return {(link.resource, link.qid): link.wikidata_label
            for link in curate.load_wikidata_links()}
