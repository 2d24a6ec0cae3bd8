"""Downloads: /dumps/ over a real server, and ``kg dump`` writing the same files."""

import gzip
import hashlib
import http.client
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
import requests
from conftest import copy_sources
from pyld import jsonld
from rdflib.compare import isomorphic

from kg.dump import DUMPS, EDITION_BY_NAME
from kg.iris import DATA_GRAPH, ONTOLOGY_DIR, ONTOLOGY_GRAPH, PREFIXES, TRIPLES_FILE

RDF = PREFIXES["rdf"]
STATEMENT_PARTS = {ox.NamedNode(RDF + n) for n in ("subject", "predicate", "object")}
REIFIES = ox.NamedNode(RDF + "reifies")
TRIPLE_DUMPS = [d for d in DUMPS if not d.rdf12 and not d.keeps_graphs]
DATASET_DUMPS = [d for d in DUMPS if d.keeps_graphs]


def get(server, name: str, **headers) -> requests.Response:
    return requests.get(f"{server.url}/dumps/{name}", headers=headers, timeout=60)


def index(server) -> dict:
    response = get(server, "index.json")
    assert response.status_code == 200
    return response.json()


def store_triples(server, graphs) -> list[ox.Triple]:
    """What the store holds in these named graphs (one answer: blank nodes stay consistent)."""
    values = " ".join(f"<{g}>" for g in graphs)
    response = server.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} "
                            "GRAPH ?g { ?s ?p ?o } }", accept="application/n-triples")
    assert response.status_code == 200 and "X-Result-Truncated" not in response.headers
    return [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]


def canonical(triples) -> set:
    """Triples with blank nodes relabelled canonically, to compare two parses as sets."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {q.triple for q in dataset}


def as_rdflib(triples) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                                format="nt")


def test_the_page_lists_every_dump_with_its_size_checksum_and_the_version(server):
    response = requests.get(server.url + "/dumps/", timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    listing = index(server)
    names = {f["name"] for f in listing["files"]}
    assert names == {d.name for d in DUMPS} | {d.name + ".gz" for d in DUMPS}
    assert listing["version"] in response.text
    for entry in listing["files"]:
        assert f'href="/dumps/{entry["name"]}"' in response.text
        assert entry["sha256"] in response.text
        assert f'{entry["bytes"]:,}' in response.text
    assert 'href="/.well-known/void"' in response.text


@pytest.mark.parametrize("dump", TRIPLE_DUMPS, ids=lambda d: d.name)
def test_every_rdf11_dump_holds_exactly_the_stores_triples(server, dump):
    check_rdf11_dump(server, dump)


def check_rdf11_dump(server, dump):
    body = get(server, dump.name).content
    expected = store_triples(server, dump.edition.graphs)
    parsed = list(ox.parse(body, format=dump.format.oxigraph))
    assert all(q.graph_name == ox.DefaultGraph() for q in parsed)
    assert canonical(q.triple for q in parsed) == canonical(expected)
    in_rdflib = rdflib.Graph().parse(data=body, format=dump.format.media_type)
    assert len(in_rdflib) == len(set(canonical(expected)))
    assert isomorphic(in_rdflib, as_rdflib(expected))


def test_the_json_ld_dumps_are_compacted_with_the_published_context(server):
    context = requests.get(server.url + "/context.jsonld", timeout=30).json()
    for dump in (d for d in TRIPLE_DUMPS if d.format.name == "jsonld"):
        document = get(server, dump.name).json()
        assert document["@context"] == context["@context"], dump.name
        assert all(node["@id"].startswith(("kgr:", "kg:", "_:")) or ":" in node["@id"]
                   for node in document["@graph"])
        expected = as_rdflib(store_triples(server, dump.edition.graphs))
        expanded = jsonld.expand(document)
        assert all(key.startswith(("@", "http", "https")) for node in expanded for key in node)
        for form in (document, expanded, jsonld.compact(expanded, context)):
            nquads = jsonld.to_rdf(form, {"format": "application/n-quads"})
            assert isomorphic(rdflib.Graph().parse(data=nquads, format="nt"), expected)


@pytest.mark.parametrize("dump", DATASET_DUMPS, ids=lambda d: d.name)
def test_dataset_dumps_keep_each_named_graph(server, dump):
    body = get(server, dump.name).content
    parsed = list(ox.parse(body, format=dump.format.oxigraph))
    in_rdflib = rdflib.Dataset().parse(data=body, format=dump.format.media_type)
    assert {q.graph_name.value for q in parsed} == set(dump.edition.graphs)
    for graph in dump.edition.graphs:
        expected = store_triples(server, [graph])
        assert canonical(q.triple for q in parsed if q.graph_name.value == graph) \
            == canonical(expected)
        assert isomorphic(in_rdflib.graph(rdflib.URIRef(graph)), as_rdflib(expected))


def test_gzip_editions_decompress_to_the_same_bytes(server):
    for dump in DUMPS:
        zipped = get(server, dump.name + ".gz")
        assert zipped.headers["Content-Type"] == "application/gzip"
        assert "Content-Encoding" not in zipped.headers  # the file itself is the gzip
        assert gzip.decompress(zipped.content) == get(server, dump.name).content


def test_checksums_list_matches_every_file(server):
    response = get(server, "SHA256SUMS")
    assert response.status_code == 200
    lines = response.text.splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)  # sha256sum format
    assert set(listed) == {f["name"] for f in index(server)["files"]}
    for name, digest in listed.items():
        body = get(server, name)
        assert hashlib.sha256(body.content).hexdigest() == digest
        assert body.headers["ETag"] == f'"{digest}"'
        assert int(body.headers["Content-Length"]) == len(body.content)


def test_the_rdf12_dump_has_the_same_facts_and_provenance(server):
    check_rdf12_dump(server)


def test_the_rdf12_dump_is_marked_and_the_rdf11_files_stay_the_default(server):
    (dump,) = [d for d in DUMPS if d.rdf12]
    answer = get(server, dump.name)
    assert answer.content.startswith(b'VERSION "1.2"\n')
    assert answer.headers["Content-Type"].startswith("text/turtle; version=1.2")
    entry = {f["name"]: f for f in index(server)["files"]}[dump.name]
    assert entry["media_type"] == "text/turtle; version=1.2"
    with pytest.raises(SyntaxError):  # an RDF 1.1 parser stops at the first line, as the page says
        rdflib.Graph().parse(data=answer.content, format="turtle")
    page = requests.get(server.url + "/dumps/", timeout=30).text
    assert "text/turtle; version=1.2" in page and "rdflib 7" in page
    for plain in TRIPLE_DUMPS + DATASET_DUMPS:
        answer = get(server, plain.name)
        assert b"VERSION" not in answer.content[:200]
        assert "version=" not in answer.headers["Content-Type"]


def check_rdf12_dump(server):
    (dump,) = [d for d in DUMPS if d.rdf12]
    assert dump.edition == EDITION_BY_NAME["all"] and dump.format.name == "ttl"
    reified = list(q.triple for q in ox.parse(get(server, dump.name).content,
                                               format=ox.RdfFormat.TURTLE))
    asserted = store_triples(server, (ONTOLOGY_GRAPH, DATA_GRAPH))
    statements = {t.subject for t in asserted if t.predicate == ox.NamedNode(RDF + "type")
                  and t.object == ox.NamedNode(RDF + "Statement")}
    assert statements
    reifiers = {t.subject: t.object for t in reified if t.predicate == REIFIES}
    assert set(reifiers) == statements
    for node in statements:
        parts = {t.predicate.value[len(RDF):]: t.object for t in asserted
                 if t.subject == node and t.predicate in STATEMENT_PARTS}
        assert reifiers[node] == ox.Triple(parts["subject"], parts["predicate"], parts["object"])
        evidence = {(t.predicate, t.object) for t in asserted if t.subject == node
                    and t.predicate not in STATEMENT_PARTS and t.predicate.value != RDF + "type"}
        assert evidence  # prov:wasDerivedFrom ...
        assert evidence == {(t.predicate, t.object) for t in reified
                            if t.subject == node and t.predicate != REIFIES}
    facts = [t for t in asserted if t.subject not in statements]
    assert canonical(t for t in reified if t.subject not in reifiers) == canonical(facts)


@pytest.mark.slow
def test_the_article_graph_dumps_hold_exactly_its_triples(article_server):
    """The real graph (no blank nodes in its data) in every format, and its RDF 1.2 edition."""
    for dump in TRIPLE_DUMPS:
        check_rdf11_dump(article_server, dump)
    check_rdf12_dump(article_server)
    body = get(article_server, "kresy1939-data.nt").content
    expected = store_triples(article_server, [DATA_GRAPH])
    assert not any(isinstance(t.subject, ox.BlankNode) for t in expected)
    assert {q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)} == set(expected)


@pytest.mark.parametrize("edition, sources", [
    ("all", (*sorted(ONTOLOGY_DIR.glob("*.ttl")), TRIPLES_FILE)),
    ("ontology", tuple(sorted(ONTOLOGY_DIR.glob("*.ttl")))),
    ("data", (TRIPLES_FILE,)),
])
def test_a_dump_equals_its_source_files_triple_for_triple(article_server, edition, sources):
    """Datatypes included: the store must not rewrite a literal of the sources (pyoxigraph
    stores xsd:nonNegativeInteger and xsd:int values as xsd:integer, for instance)."""
    expected = rdflib.Graph()
    for path in sources:
        expected.parse(path, format="turtle")
    for suffix, parser in (("ttl", "turtle"), ("nt", "nt")):
        dumped = rdflib.Graph().parse(data=get(article_server, f"kresy1939-{edition}.{suffix}")
                                      .content, format=parser)
        assert len(dumped) == len(expected)
        assert isomorphic(dumped, expected), sorted(
            str(t) for t in set(expected) - set(dumped) if not isinstance(t[0], rdflib.BNode))[:5]
        typed = {(o.datatype, str(o)) for o in expected.objects() if isinstance(o, rdflib.Literal)}
        assert typed == {(o.datatype, str(o)) for o in dumped.objects()
                         if isinstance(o, rdflib.Literal)}
    graph = ONTOLOGY_GRAPH if edition == "ontology" else DATA_GRAPH if edition == "data" else None
    if graph:
        stored = requests.get(article_server.url + "/store", params={"graph": graph},
                              headers={"Accept": "text/turtle"}, timeout=60)
        assert isomorphic(rdflib.Graph().parse(data=stored.text, format="turtle"), expected)


def test_dumps_answer_conditional_requests_with_304(server):
    name = "kresy1939-data.nt"
    first = get(server, name)
    assert first.status_code == 200
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert first.headers["Content-Length"] == str(len(first.content))
    assert first.headers["Accept-Ranges"] == "bytes"
    unchanged = get(server, name, **{"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert get(server, name, **{"If-Modified-Since": first.headers["Last-Modified"]}) \
        .status_code == 304
    assert get(server, name, **{"If-None-Match": '"something-else"'}).status_code == 200
    head = requests.head(f"{server.url}/dumps/{name}", timeout=60)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(first.content))


def test_dumps_answer_byte_ranges_with_206_and_416(server):
    name = "kresy1939-all.ttl"
    whole = get(server, name).content
    part = get(server, name, Range="bytes=100-199")
    assert part.status_code == 206
    assert part.content == whole[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    tail = get(server, name, Range="bytes=-50")
    assert tail.status_code == 206 and tail.content == whole[-50:]
    # A download resumed only if the file did not change (If-Range with the ETag).
    etag = get(server, name).headers["ETag"]
    assert get(server, name, Range="bytes=10-", **{"If-Range": etag}).content == whole[10:]
    beyond = get(server, name, Range=f"bytes={len(whole) + 10}-")
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(whole)}"


@pytest.mark.parametrize("path", [
    "/dumps/../../etc/passwd",
    "/dumps/..%2F..%2F..%2Fetc%2Fpasswd",
    "/dumps/%2Fetc%2Fpasswd",
    "/dumps/..",
    "/dumps/.lock",
    "/dumps/nothing.ttl",
    "/dumps/kresy1939-all.exe",
])
def test_only_known_dump_names_are_served(server, path):
    """The path is sent as is (no client-side normalisation of '..')."""
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 404
    assert b"root:" not in body


def test_an_empty_store_has_empty_dumps(start_server):
    server = start_server(ontology=False, data=False)
    empty = get(server, "kresy1939-all.nt")
    assert empty.status_code == 200 and empty.content == b""
    assert all(f["triples"] == 0 for f in index(server)["files"] if f["edition"] != "entailed")


def test_the_first_requests_at_once_get_the_same_files(start_server):
    """Workers and threads racing to write the dumps of a new version: one writes, all read."""
    server = start_server()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: get(server, "SHA256SUMS"), range(8)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    written = [p.name for p in (server.flags["--store"] / "dumps").iterdir()]
    assert len([name for name in written if not name.startswith(".")]) == 1
    assert not [name for name in written if name.startswith(".building")]


def kg(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, argv)], capture_output=True,
                          timeout=120)


@pytest.mark.parametrize("name, argv", [
    ("kresy1939-all.ttl", []),
    ("kresy1939-ontology.rdf", ["--graph", "ontology", "--format", "rdf"]),
    ("kresy1939-data.jsonld.gz", ["--graph", "data", "--format", "jsonld"]),
    ("kresy1939-entailed.nq", ["--graph", "entailed", "--format", "nq"]),
    ("kresy1939-all-rdf12.ttl.gz", ["--rdf12"]),
])
def test_kg_dump_writes_the_same_bytes_as_the_server(server, tmp_path, name, argv):
    out = tmp_path / name
    done = kg("dump", "--store", server.flags["--store"], *argv, "--out", out)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == get(server, name).content
    assert f"to {out}".encode() in done.stderr


def test_kg_dump_writes_to_stdout_and_refuses_rdf12_json_ld(server):
    done = kg("dump", "--store", server.flags["--store"], "--graph", "data", "--format", "nt")
    assert done.returncode == 0
    assert done.stdout == get(server, "kresy1939-data.nt").content
    refused = kg("dump", "--store", server.flags["--store"], "--rdf12", "--format", "jsonld")
    assert refused.returncode == 2
    assert b"--rdf12 needs --format ttl or nt" in refused.stderr


def test_kg_dump_of_a_store_never_loaded_says_so(tmp_path):
    done = kg("dump", "--store", tmp_path / "nothing", "--out", tmp_path / "x.ttl")
    assert done.returncode == 1
    assert b"not loaded" in done.stderr
    assert not (tmp_path / "x.ttl").exists()


def test_the_version_changes_when_the_data_changes(start_server, tmp_path):
    flags = copy_sources(tmp_path / "src")
    server = start_server(flags)
    before = index(server)
    data_etag = get(server, "kresy1939-data.ttl").headers["ETag"]
    with open(flags["--data-file"], "a") as data:
        data.write('\nkgr:Extra a kg:Event ; rdfs:label "an added event"@en .\n')
    loaded = kg("load", *[str(x) for pair in flags.items() for x in pair])
    assert loaded.returncode == 0, loaded.stderr
    after = index(server)
    assert after["version"] != before["version"]
    changed = get(server, "kresy1939-data.ttl", **{"If-None-Match": data_etag})
    assert changed.status_code == 200  # not 304: the file is another one now
    assert b"an added event" in changed.content
    # The ontology did not change: its dump is the same file, byte for byte.
    assert {f["name"]: f["sha256"] for f in after["files"]}["kresy1939-ontology.ttl"] == \
        {f["name"]: f["sha256"] for f in before["files"]}["kresy1939-ontology.ttl"]


@pytest.mark.slow
def test_kg_dump_shows_progress_on_a_large_store(tmp_path):
    flags = copy_sources(tmp_path)
    with open(flags["--data-file"], "a") as data:
        for i in range(120_000):
            data.write(f'kgr:bulk-{i} rdfs:comment "bulk {i}" .\n')
    assert kg("load", *[str(x) for pair in flags.items() for x in pair]).returncode == 0
    done = kg("dump", "--store", flags["--store"], "--graph", "data", "--format", "nt",
              "--out", tmp_path / "data.nt")
    assert done.returncode == 0, done.stderr
    assert b"kg dump: 100000/" in done.stderr
    assert b"(100%)" in done.stderr
    assert sum(1 for _ in open(tmp_path / "data.nt", "rb")) > 120_000


def test_the_rdf12_dump_reads_as_the_annotation_syntax_would(server):
    """pyoxigraph writes ``r rdf:reifies <<( s p o )>>``; a file in annotation syntax
    (``s p o ~ r {| ... |}``) means the same triples, so either reader sees one graph."""
    body = get(server, "kresy1939-all-rdf12.ttl").content
    written = {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)}
    reifier, term = next((t.subject, t.object) for t in written if t.predicate == REIFIES)
    said = {t for t in written if t.subject == reifier and t.predicate != REIFIES}
    annotations = " ; ".join(f"{t.predicate} {t.object}" for t in said)
    annotated = f"{term.subject} {term.predicate} {term.object} ~ {reifier} {{| {annotations} |}} ."
    parsed = {q.triple for q in ox.parse(annotated.encode(), format=ox.RdfFormat.TURTLE)}
    assert parsed == {term, ox.Triple(reifier, REIFIES, term)} | said
    assert parsed <= written
