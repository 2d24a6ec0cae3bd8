"""The ``kg`` command: one subcommand per pipeline stage.

Each subcommand lives in its own module exposing ``add_arguments(parser)`` and
``run(args) -> int``; this file only lists them, so adding a command is one line
and ``kg --help`` never imports the heavy modules of the other stages.
"""

import argparse
import importlib
import sys

#: subcommand -> (module, one-line help)
COMMANDS = {
    "build": ("kg.build.command", "build data/triples.ttl from the curated statements"),
    "validate": ("kg.validate", "check data against the SHACL shapes of ontology/shapes.ttl"),
    "docs": ("kg.ontology_docs", "regenerate docs/ontology.md from the ontology"),
    "load": ("kg.store.load", "load ontology/ and data/triples.ttl into the store"),
    "serve": ("kg.web.serve", "serve the store over HTTP (SPARQL endpoint)"),
    "query": ("kg.store.query", "answer a SPARQL query from the store"),
    "links": ("kg.wikidata.command", "check or export the Wikidata links"),
    "dump": ("kg.dump", "write the graph (or one of its editions) as an RDF file"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kg", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=help_text, description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
