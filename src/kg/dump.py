"""``kg dump``: the whole graph as files, in every RDF format of the formats table.

One function writes every dump, so ``kg dump`` and ``/dumps/`` give the same bytes:
the store's quads are read once, blank nodes get canonical labels (RDFC-1.0) and the
triples are sorted, so the same data always serialises to the same file. pyoxigraph
writes every format but compacted JSON-LD, which ``kg.jsonld`` writes with the
context of the dataset's ontology; gzip headers carry no time or file name, so
compressed dumps are byte-stable too.

An edition is a choice of named graphs (the asserted ontology and data, each alone,
or with what the ontology entails); triple formats get their union, dataset formats
(TriG, N-Quads) keep the graphs. The RDF 1.2 edition turns each ``rdf:Statement``
node into a reifier of its triple term (``kgr:stmt-… rdf:reifies <<( s p o )>>``)
with the same provenance; pyoxigraph 0.5 writes reifiers in this form and reads the
annotation syntax ``s p o ~ kgr:stmt-… {| … |}`` as the same triples.
"""

import gzip
import hashlib
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg import formats, jsonld
from kg import settings as settings_module
from kg.iris import DATA_GRAPH, ENTAILED_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kg.store import StoreError

#: Formats whose dumps keep the named graphs; every other one gets their union as one graph
#: (JSON-LD could carry named graphs, but most of its readers expect a single graph).
NAMED_GRAPH_FORMATS = ("trig", "nq")
#: File names start with this: kresy1939-all.ttl, kresy1939-data.nt.gz, ...
NAME = "kresy1939"
#: Bump when the files change for the same data (new formats, another layout), so the
#: server rewrites the dumps it keeps for the current store version.
WRITER_VERSION = "2"
#: The first line of an RDF 1.2 Turtle dump (the ``VERSION`` directive of RDF 1.2 Turtle).
RDF12_VERSION = b'VERSION "1.2"\n'
#: Lines of progress on stderr every this many triples (only large stores print them).
PROGRESS_EVERY = 100_000

_RDF = PREFIXES["rdf"]
_TYPE, _STATEMENT, _REIFIES = (ox.NamedNode(_RDF + n) for n in ("type", "Statement", "reifies"))
_PARTS = tuple(ox.NamedNode(_RDF + n) for n in ("subject", "predicate", "object"))


@dataclass(frozen=True)
class Edition:
    """A selection of the store's named graphs, offered as one dump."""

    name: str
    graphs: tuple[str, ...]
    description: str


EDITIONS = (
    Edition("all", (ONTOLOGY_GRAPH, DATA_GRAPH), "the ontology and the data, as asserted"),
    Edition("ontology", (ONTOLOGY_GRAPH,), "the ontology: classes, properties, alignments, shapes"),
    Edition("data", (DATA_GRAPH,), "the data: facts, their statement nodes and evidence"),
    Edition("entailed", (ONTOLOGY_GRAPH, DATA_GRAPH, ENTAILED_GRAPH),
            "the ontology, the data and what the ontology entails for it"),
)
EDITION_BY_NAME = {e.name: e for e in EDITIONS}


@dataclass(frozen=True)
class Dump:
    """One dump file: an edition in one format, RDF 1.1 or (``rdf12``) with reifiers."""

    edition: Edition
    format: formats.Format
    rdf12: bool = False

    @property
    def name(self) -> str:
        return f"{NAME}-{self.edition.name}{'-rdf12' if self.rdf12 else ''}.{self.format.suffix}"

    @property
    def keeps_graphs(self) -> bool:
        return self.format.name in NAMED_GRAPH_FORMATS

    @property
    def media_type(self) -> str:
        """RDF 1.2 files say so in their media type (RDF 1.2 Turtle, section 7.1), so a client
        can tell them apart from the RDF 1.1 files before it parses them."""
        return self.format.media_type + ("; version=1.2" if self.rdf12 else "")

    @property
    def description(self) -> str:
        if self.rdf12:
            return self.edition.description + ", provenance as RDF 1.2 reifiers"
        return self.edition.description


#: Every dump the server offers: each edition in each RDF format, and the RDF 1.2 Turtle.
DUMPS = tuple(Dump(e, f) for e in EDITIONS for f in formats.of_kind(formats.GRAPH)) + (
    Dump(EDITION_BY_NAME["all"], formats.BY_NAME["ttl"], rdf12=True),
)


def read_dataset(store) -> ox.Dataset:
    """Every quad of the store (through its ``dump``), blank nodes labelled canonically."""
    dataset = ox.Dataset(ox.parse(store.dump("nq"), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def version(dataset: ox.Dataset) -> str:
    """A short hash of the dataset's content: it changes exactly when a quad does."""
    return hashlib.sha256(ox.serialize(_sorted(dataset), format=ox.RdfFormat.N_QUADS)).hexdigest()[
        :16]


def _sorted(items) -> list:
    # Quads by graph first, so TriG writes each graph as one block.
    def key(item):
        graph = str(item.graph_name) if isinstance(item, ox.Quad) else ""
        return graph, str(item.subject), str(item.predicate), str(item.object)

    return sorted(items, key=key)


def selection(dataset: ox.Dataset, dump: Dump) -> list:
    """The sorted triples (or quads, for a dataset format) a dump holds."""
    quads = [q for g in dump.edition.graphs for q in dataset.quads_for_graph_name(ox.NamedNode(g))]
    if dump.keeps_graphs:
        return _sorted(set(quads))
    triples = {q.triple for q in quads}
    return _sorted(reified(triples) if dump.rdf12 else triples)


def reified(triples: set[ox.Triple]) -> set[ox.Triple]:
    """The RDF 1.2 form: each rdf:Statement node becomes the reifier of its triple term.

    Its ``a rdf:Statement`` and ``rdf:subject`` / ``rdf:predicate`` / ``rdf:object``
    triples become one ``rdf:reifies <<( s p o )>>``; all else it says (its
    ``prov:wasDerivedFrom`` evidence) stays as it is.
    """
    parts = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if t.predicate in _PARTS:
            parts[t.subject][t.predicate].append(t.object)
    reifiers = {}
    for node, found in parts.items():
        values = [found[p] for p in _PARTS]
        if (ox.Triple(node, _TYPE, _STATEMENT) in triples and all(len(v) == 1 for v in values)
                and isinstance(values[1][0], ox.NamedNode)):
            reifiers[node] = ox.Triple(*(v[0] for v in values))
    kept = {t for t in triples if t.subject not in reifiers
            or not (t.predicate in _PARTS or (t.predicate == _TYPE and t.object == _STATEMENT))}
    return kept | {ox.Triple(node, _REIFIES, triple) for node, triple in reifiers.items()}


def write(dataset: ox.Dataset, dump: Dump, output: BinaryIO, compress: bool = False,
          progress=None) -> int:
    """Serialise one dump into ``output`` (gzip-compressed if asked); returns its triple count.

    ``progress(done, total)`` is called every PROGRESS_EVERY triples and at the end.
    """
    items = selection(dataset, dump)

    def counted():
        for done, item in enumerate(items, 1):
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, len(items))
            yield item

    def serialize(target: BinaryIO) -> None:
        if dump.rdf12 and dump.format.name == "ttl":
            # The version directive: an RDF 1.1 parser stops here, not mid-file. (N-Triples
            # 1.2 has it too, but pyoxigraph 0.5's N-Triples parser refuses it.)
            target.write(RDF12_VERSION)
        if dump.format.name == "jsonld":
            ontology = dataset.quads_for_graph_name(ox.NamedNode(ONTOLOGY_GRAPH))
            target.write(jsonld.compacted(counted(), jsonld.context(q.triple for q in ontology)))
        else:
            ox.serialize(counted(), target, format=dump.format.oxigraph, prefixes=PREFIXES)

    if compress:
        # No file name and a zero time in the header: the same dump, the same bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=output, mtime=0) as zipped:
            serialize(zipped)
    else:
        serialize(output)
    if progress:
        progress(len(items), len(items))
    return len(items)


def add_arguments(parser) -> None:
    graph_formats = [f.name for f in formats.of_kind(formats.GRAPH)]
    parser.add_argument("--format", default="ttl", choices=graph_formats,
                        help="RDF format (default: ttl)")
    parser.add_argument("--graph", default="all", choices=list(EDITION_BY_NAME),
                        help="; ".join(f"{e.name}: {e.description}" for e in EDITIONS)
                        + " (default: all)")
    parser.add_argument("--rdf12", action="store_true",
                        help="provenance as RDF 1.2 reifiers (rdf:reifies) instead of "
                             "rdf:Statement nodes (Turtle and N-Triples only)")
    parser.add_argument("--out", default="-",
                        help="file to write, gzip-compressed when it ends in .gz (default: stdout)")
    settings_module.add_arguments(parser, ("store",))


def run(args) -> int:
    from kg.store import open_store

    dump = Dump(EDITION_BY_NAME[args.graph], formats.BY_NAME[args.format], args.rdf12)
    if dump.rdf12 and dump.format.name not in ("ttl", "nt"):
        print("kg dump: --rdf12 needs --format ttl or nt", file=sys.stderr)
        return 2
    settings = settings_module.Settings.load(args)
    try:
        dataset = read_dataset(open_store(settings))
    except StoreError as error:
        print(f"kg dump: {error}", file=sys.stderr)
        return 1
    if len(dataset) >= PROGRESS_EVERY:
        print(f"kg dump: read {len(dataset)} quads from the store", file=sys.stderr, flush=True)

    def progress(done: int, total: int) -> None:
        if total >= PROGRESS_EVERY:
            print(f"kg dump: {done}/{total} triples ({100 * done // total}%)", file=sys.stderr,
                  flush=True)

    compress = args.out.endswith(".gz")
    if args.out == "-":
        count = write(dataset, dump, sys.stdout.buffer, progress=progress)
    else:
        with open(Path(args.out), "wb") as output:
            count = write(dataset, dump, output, compress, progress)
    print(f"kg dump: wrote {count} {'quads' if dump.keeps_graphs else 'triples'} "
          f"({dump.description}) to {args.out}", file=sys.stderr)
    return 0
