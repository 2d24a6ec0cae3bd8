"""Build data/triples.ttl from the curated statements and the article (--check: is it current?)."""

import argparse
import sys

from kg import iris
from kg.curate import CurationError

from . import build_turtle
from .graph import BuildError, QuoteError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check", action="store_true",
        help="write nothing; exit 1 if data/triples.ttl differs from a fresh build",
    )


def run(args: argparse.Namespace) -> int:
    try:
        turtle = build_turtle()
    except (BuildError, CurationError, QuoteError) as error:
        print(f"kg build: {error}", file=sys.stderr)
        return 2
    target = iris.TRIPLES_FILE
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if args.check:
        if current != turtle:
            print(f"kg build --check: {target} is stale; run `kg build`", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    if current != turtle:
        target.write_text(turtle, encoding="utf-8")
    print(f"wrote {target} ({turtle.count(chr(10))} lines)")
    return 0
