"""Entry point: ``python server.py`` serves the graph exactly as ``kg serve`` does."""

import sys

from kg.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
