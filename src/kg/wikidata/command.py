"""``kg links check`` and ``kg links export``: review our Wikidata links.

``check`` asks a Wikidata SPARQL endpoint about every linked item and lists the links
whose label, type or dates do not fit; it exits 0 when all fit, 1 when any is doubtful
and 3 when the endpoint cannot be reached (offline), so a scheduled job can tell a
bad link from a bad network. ``export`` writes the links as CSV or QuickStatements
for a Wikidata editor to review.
"""

import argparse
import csv
import sys

from kg import iris, names
from kg import settings as settings_module
from kg.store import StoreError, open_store
from kg.wikidata import WIKIDATA_SPARQL, links, remote

#: Exit statuses of ``kg links check``.
FIT, DOUBTFUL, OFFLINE = 0, 1, 3

EXPORT_COLUMNS = ["resource", "qid", "label", "wikidata_label", "match", "evidence"]


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
    export.add_argument("--format", choices=("csv", "quickstatements"), default="csv")
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


def _links(args) -> list[links.Link]:
    if not args.from_store:
        return links.read_links(links.read_graph(args.data_file))
    settings = settings_module.Settings.load(args)
    return links.read_links(open_store(settings))


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
    found = _links(args)
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
    link: for an exact match whose English label differs from Wikidata's, a command
    adding ours as an English alias (``Aen``); otherwise only a comment. Every line
    carries the resource IRI, both labels, match type and evidence as its comment,
    so an editor reviews each proposal before running it.
    """
    found = _links(args)
    wikidata_labels = _curated_wikidata_labels()
    rows = [{
        "resource": link.resource,
        "qid": link.qid,
        "label": link.label,
        "wikidata_label": wikidata_labels.get((link.local_name, link.qid), ""),
        "match": link.match,
        "evidence": link.evidence,
    } for link in found]
    if args.format == "csv":
        writer = csv.DictWriter(args.output, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            args.output.write(_quickstatement(row) + "\n")
    return 0


def _quickstatement(row: dict) -> str:
    said = (f"kgr {row['resource']} {row['label']!r} is a {row['match']} match of "
            f"{row['qid']} {row['wikidata_label']!r}; evidence: {row['evidence']}")
    said = said.replace("*/", "* /")
    if row["match"] != "exact" or names.fold(row["label"]) == names.fold(row["wikidata_label"]):
        return f"/* {said} */"
    label = row["label"].replace('"', "'")
    return f'{row["qid"]}\tAen\t"{label}"\t/* {said} */'


def _curated_wikidata_labels() -> dict[tuple[str, str], str]:
    """The Wikidata label each link was checked against, from the curated table."""
    from kg import curate

    return {(link.resource, link.qid): link.wikidata_label
            for link in curate.load_wikidata_links()}
