"""The landing page and the article view, read as a reader would, checked against the store."""

import html
import re

import requests
from conftest import copy_sources

from kg import iris
from kg.source import article_text
from kg.source.sentences import sentence_spans

BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"


def get(server, path) -> str:
    answer = requests.get(server.url + path, headers={"Accept": BROWSER_ACCEPT}, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    return answer.text


def test_landing_page_counts_match_the_store(article_server):
    page = get(article_server, "/")
    shown = {iri: int(count.replace(",", "")) for iri, count in
             re.findall(r'data-class="([^"]+)">([\d,]+)<', page)}
    assert shown[iris.term("Event")] > 10
    for class_iri, count in shown.items():
        [row] = article_server.select(
            f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ ?r a <{class_iri}> "
            f'FILTER(STRSTARTS(STR(?r), "{iris.RESOURCE}")) }}')
        assert int(row["n"]) == count, class_iri


def test_landing_page_names_source_licence_and_links(article_server):
    page = get(article_server, "/")
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in page and "CC BY-SA 4.0" in page
    assert "https://en.wikipedia.org/wiki/Soviet_invasion_of_Poland" in page
    assert "Wikipedia contributors" in page
    for route in (iris.QUERY_ROUTE, iris.ARTICLE_ROUTE, iris.DUMPS_ROUTE, iris.VOID_ROUTE):
        assert f'href="{route}"' in page, route


def test_landing_timeline_lists_every_dated_event_in_order(article_server):
    page = get(article_server, "/")
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S).group(1)
    dates = re.findall(r'<time datetime="([^"]+)">', timeline)
    assert dates == sorted(dates)
    dated = article_server.select(
        "SELECT DISTINCT ?e WHERE { { ?e kg:startDate ?d } UNION { ?e kg:pointInTime ?d } }")
    assert len(dates) == len(dated)
    invasion = re.search(r'<time datetime="1939-09-17">([^<]+)</time>\s*<a href="([^"]+)"',
                         timeline)
    assert invasion.group(1) == "17 September 1939 – 6 October 1939"
    assert invasion.group(2) == "/resource/SovietInvasionOfPoland"


SPANS_QUERY = """
SELECT DISTINCT ?start ?end WHERE {
  ?evidence a oa:SpecificResource ; oa:hasSelector [ oa:start ?start ; oa:end ?end ] .
}
"""


def test_article_view_marks_every_evidence_span(article_server):
    page = get(article_server, "/article")
    spans = {(int(r["start"]), int(r["end"])) for r in article_server.select(SPANS_QUERY)}
    marked = {(int(a), int(b)) for a, b in re.findall(r'<span class="ev" id="span-(\d+)-(\d+)"',
                                                      page)}
    assert page.count("<mark tabindex=\"0\"") == len(spans)
    assert marked == spans
    # Each span's pop-up lists the statements it supports, linked to their resources.
    tip = page.split('id="tip-1637-1905"', 1)[1].split('id="tip-', 1)[0]
    assert 'href="/resource/claim-polish-citizens-made-soviet-subjects"' in tip


#: The article's title and headings as its retrieved text has them (lines of their own).
HEADINGS = {"Soviet invasion of Poland", "Commanders and leaders", "Casualties and losses",
            "Other Languages"}


def test_article_view_lists_the_sentences_without_statements(article_server):
    page = get(article_server, "/article")
    text = article_text()
    spans = [(int(r["start"]), int(r["end"])) for r in article_server.select(SPANS_QUERY)]
    unmarked = [text[a:b] for a, b in sentence_spans(text)
                if not any(s < b and a < e for s, e in spans)]
    shown_headings = {html.unescape(h) for h in re.findall(
        r'<span class="article-heading" role="heading" aria-level="2">(.*?)</span>', page)}
    assert shown_headings == HEADINGS
    # Headings are headings, not "sentences without a statement".
    bare = [s for s in unmarked if s.strip() not in HEADINGS]
    listed = [html.unescape(s) for s in re.findall(
        r'<li><a href="#sentence-\d+">(.*?)</a></li>', page)]
    assert listed == bare
    headings = len(unmarked) - len(bare)
    assert f"<strong>{len(bare)}</strong> of {len(sentence_spans(text)) - headings} sentences" \
        in page
    assert page.count('<span class="bare" id="sentence-') == len(bare)
    assert "Commanders and leaders" not in listed


def test_article_view_marks_the_other_languages_titles(article_server):
    page = get(article_server, "/article")
    titles = article_server.select("""SELECT ?label (LANG(?label) AS ?lang) WHERE {
        kgr:SovietInvasionOfPoland rdfs:label ?label FILTER(!LANGMATCHES(LANG(?label), "en")) }""")
    assert len(titles) == 3
    for row in titles:
        assert f'<span lang="{row["lang"]}">{html.escape(row["label"], quote=False)}</span>' in page
    assert '<span lang="id">Invasi Soviet ke Polandia</span>' in page
    # The resource page's quotes of those titles mark them too, inside the English quote.
    resource = get(article_server, "/resource/SovietInvasionOfPoland")
    for row in titles:
        assert f'<span lang="{row["lang"]}">{html.escape(row["label"], quote=False)}</span>' \
            in resource.split('id="facts-heading"', 1)[1]


def test_pages_have_landmarks_headings_and_a_language(article_server):
    for path in ("/", "/article", "/resource/SovietInvasionOfPoland", "/ontology"):
        page = get(article_server, path)
        assert page.startswith("<!doctype html>\n<html lang=\"en\">"), path
        for landmark in ("<header", "<nav", "<main", "<footer"):
            assert landmark in page, (path, landmark)
        assert page.count("<h1") == 1, path
        # Nothing is loaded from another host: every script and stylesheet is local.
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page), path


# --- Resource pages that read well ------------------------------------------------------


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_resource_page_opens_with_a_summary(article_server):
    page = get(article_server, "/resource/SovietInvasionOfPoland")
    summary = text_of(page.split('class="summary-facts"', 1)[1].split("</dl>", 1)[0])
    assert "start date 17 September 1939" in summary
    assert "end date 6 October 1939" in summary
    assert "part of Invasion of Poland" in summary
    assert "main figures" in summary


def test_links_to_a_resource_are_worded_from_the_other_end(article_server):
    [row, *_] = article_server.select("SELECT ?event WHERE { ?event kg:location kgr:Lwow }")
    page = get(article_server, "/resource/Lwow")
    incoming = page.split('id="incoming-heading"', 1)[1]
    assert "<dt>location: Lwów</dt>" in incoming
    assert f'href="{iris.href(row["event"])}"' in incoming
    assert "stmt-" not in incoming  # statement nodes are not "links to" the place


def test_each_fact_says_how_it_is_known(article_server):
    stated = article_server.select("""
        SELECT ?exact WHERE { ?s rdf:subject kgr:SovietInvasionOfPoland ;
          rdf:predicate kg:startDate ; prov:wasDerivedFrom/oa:hasSelector/oa:exact ?exact }""")
    page = get(article_server, "/resource/SovietInvasionOfPoland")
    assert "How it is known: the article says" in page and "The article says:" in page
    assert all(html.escape(r["exact"], quote=False) in page for r in stated)
    [inferred] = article_server.select("""
        SELECT ?subject ?reason WHERE { ?s prov:wasGeneratedBy kgr:activity-curation ;
          rdf:subject ?subject ; rdfs:comment ?reason } ORDER BY ?s LIMIT 1""")
    page = text_of(get(article_server, iris.href(inferred["subject"])))
    assert "How it is known: the curator inferred" in page
    assert " ".join(inferred["reason"].split()) in page


def test_wikidata_links_show_wikidata_label_and_the_check(article_server):
    page = text_of(get(article_server, "/resource/Lwow"))
    assert "Q36036 “Lviv” exact match" in page
    assert "Checked on 25 November 2026" in page
    assert "QID confirmed against" in page


def test_statement_and_evidence_pages_are_titled_by_their_quote(article_server):
    rows = article_server.select("""
        SELECT ?statement ?evidence ?exact WHERE {
          ?statement rdf:subject kgr:SovietInvasionOfPoland ; rdf:predicate kg:endDate ;
                     prov:wasDerivedFrom ?evidence .
          ?evidence oa:hasSelector/oa:exact ?exact }""")
    assert rows

    def title(resource) -> str:
        page = get(article_server, iris.href(resource))
        assert 'href="/article#span-' in page
        return text_of(page.split("<h1>", 1)[1].split("</h1>", 1)[0])

    def is_titled_by(shown: str, exact: str) -> bool:
        """The quote, or (a long one) its first words and an ellipsis."""
        inner = shown.removeprefix("“").removesuffix("”")
        return inner == exact or (inner.endswith("…") and exact.startswith(inner[:-1]))

    assert any(is_titled_by(title(rows[0]["statement"]), r["exact"]) for r in rows)
    for row in rows:
        assert is_titled_by(title(row["evidence"]), row["exact"])


def test_class_list_matches_the_store_and_downloads(article_server):
    members = {r["r"] for r in article_server.select(
        f'SELECT ?r WHERE {{ ?r a kg:City FILTER(STRSTARTS(STR(?r), "{iris.RESOURCE}")) }}')}
    answer = requests.get(article_server.url + "/class/City.json", timeout=30)
    rows = answer.json()["rows"]
    assert {r["iri"] for r in rows} == members and len(members) >= 5
    assert any(r["name"] == "Lwów" and r["Wikidata"] == "Q36036" for r in rows)
    page = get(article_server, "/class/City")
    assert f"{len(members)} members" in page and 'href="/class/City.csv"' in page
    csv_file = requests.get(article_server.url + "/class/City.csv", timeout=30)
    assert csv_file.content.startswith("\ufeffname,iri".encode())
    landing = get(article_server, "/")
    assert 'href="/class/City"' in landing
    assert 'href="/class/City"' in get(article_server, "/resource/")


def test_unknown_class_is_404(article_server):
    answer = requests.get(article_server.url + "/class/Nonsense",
                          headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert answer.status_code == 404 and "Search" in answer.text


def test_article_infobox_is_a_table_with_the_two_sides_in_two_columns(article_server):
    page = get(article_server, "/article")
    box = page.split('<table class="infobox">', 1)[1].split("</table>", 1)[0]
    assert re.search(r'<th scope="row">Date</th><td>.*?17 September – 6 October 1939', box)
    assert re.search(r'<th scope="row">Result</th><td>.*?Soviet victory', box)
    cells = [text_of(c) for c in re.findall(r'<td class="side">(.*?)</td>', box, re.S)]
    left, right = cells[0::2], cells[1::2]
    sides = {r["exact"]: r["side"] for r in article_server.select("""
        SELECT ?exact ?side WHERE { ?st prov:wasDerivedFrom ?ev ; rdf:subject ?claim .
          ?claim kg:side ?side . ?ev kg:section "Infobox" ; oa:hasSelector/oa:exact ?exact }""")}
    for column, side in ((left, iris.resource("SecondPolishRepublic")),
                         (right, iris.resource("SovietUnion"))):
        figures = [c for c in column if c.strip() and c.split(": ", 1)[0] in
                   ("Poland", "Soviet Union")]
        assert figures, column
        for cell in figures:
            words = cell.split(": ", 1)[1]
            assert any(exact.rstrip(",.") in words and sides[exact] == side
                       for exact in sides), cell
    assert "Polish Army" in " ".join(left) and "4,736 tanks" in " ".join(right)


INFERRED = """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix kg: <https://w3id.org/kresy1939/ontology#> .
@prefix kgr: <https://w3id.org/kresy1939/resource/> .
kgr:stmt-type a rdf:Statement ;
    rdf:subject kgr:SovietInvasionOfPoland ; rdf:predicate rdf:type ; rdf:object kg:Invasion ;
    prov:wasGeneratedBy kgr:activity-curation ; prov:used kgr:ev-infobox-date ;
    rdfs:comment "A military operation over these dates: the curator reads it as an invasion." .
kgr:activity-curation a prov:Activity ; rdfs:label "Curation of the article's statements"@en ;
    prov:endedAtTime "2026-11-25T00:00:00Z"^^xsd:dateTime .
"""


def test_an_inferred_fact_shows_the_quotes_it_rests_on_and_why(start_server, tmp_path):
    # Today's data records no prov:used yet; the pattern (DESIGN.md) is rendered when it does.
    flags = copy_sources(tmp_path / "src")
    with open(flags["--data-file"], "a", encoding="utf-8") as data:
        data.write(INFERRED)
    server = start_server(flags)
    page = text_of(get(server, "/resource/SovietInvasionOfPoland"))
    assert "How it is known: the curator inferred" in page
    # The quote it used, then why, then who and when, in that order under the fact.
    inferred = page[page.index("The curator inferred, from:"):]
    quote = inferred.index("17 September – 6 October 1939")
    why = inferred.index("Why: A military operation over these dates: the curator reads it as "
                         "an invasion.")
    by = inferred.index("By Curation of the article's statements")
    assert quote < why < by
    assert inferred[by:].split(".", 1)[0].endswith("25 November 2026")
