"""``kg query "SPARQL"``: answer a query from the store (local or remote), as the endpoint would."""

import sys

from kg import formats
from kg import settings as settings_module
from kg.store import QueryRequest, StoreError, open_store


def add_arguments(parser) -> None:
    parser.add_argument("query", help="the SPARQL query (prefixes such as kg: are predeclared)")
    parser.add_argument("--format", default=None,
                        help="result format name, e.g. tsv, json, csv, ttl (default: tsv / ttl)")
    settings_module.add_arguments(parser, ("store", "max_rows"))


def run(args) -> int:
    settings = settings_module.Settings.load(args)
    results = formats.by_parameter(args.format, formats.RESULTS) if args.format else None
    graph = formats.by_parameter(args.format, formats.GRAPH) if args.format else None
    request = QueryRequest(query=args.query, max_rows=settings.max_rows,
                           results_format=(results or formats.BY_NAME["tsv"]).name,
                           graph_format=(graph or formats.BY_NAME["ttl"]).name)
    try:
        answer = open_store(settings).query(request)
    except StoreError as error:
        print(f"kg query: {error}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(answer.body)
    if answer.truncated:
        print(f"kg query: result cut at {settings.max_rows} rows (--max-rows)", file=sys.stderr)
    return 0
