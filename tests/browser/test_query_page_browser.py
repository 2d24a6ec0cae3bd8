"""The query page in a real browser: what a reader does, step by step, with screenshots."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from kg.iris import ONTOLOGY_DIR, TRIPLES_FILE
from kg.web.examples import load_examples

pytestmark = pytest.mark.slow

#: A slip a reader makes: a prefix that was never declared (on the third line).
BROKEN_QUERY = "SELECT ?event WHERE {\n  ?event a kg:Invasion ;\n         foo:date ?date .\n}\n"
#: Slow enough (seconds) to be seen running and cancelled: a cross product of the graph.
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


def open_page(page, path="/query"):
    page.goto(path)
    page.wait_for_selector("body[data-ready=true]")


def run_example(page, title_start: str):
    page.click("#examples summary")
    page.get_by_role("button", name=re.compile("^" + re.escape(title_start))).click()
    page.wait_for_selector("#results:not([hidden])")


def type_query(page, text: str):
    page.click(".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # Inserted as one input, as a paste is: typing key by key would auto-close brackets.
    page.keyboard.insert_text(text)


def table_text(page) -> str:
    return page.locator("table.results").inner_text()


def test_page_loads_with_editor_and_example_menu(page, shot):
    open_page(page)
    expect(page.locator(".cm-editor")).to_be_visible()
    expect(page.locator(".cm-content")).to_contain_text("SELECT ?start ?end")
    page.click("#examples summary")
    items = page.locator("#example-list button")
    assert items.count() >= 15
    expect(page.locator("#example-list")).to_contain_text("Needs: the operator to allow SERVICE")
    shot(page, "examples-menu")


def test_example_runs_and_fills_the_table_and_chart(page, shot):
    open_page(page)
    run_example(page, "How strong were the two sides?")
    expect(page.locator("#status")).to_have_text(re.compile(r"^8 rows in \d+"))
    table = table_text(page)
    # Numbers read with thousands separators.
    soviet_troops = next(line for line in table.split("\nkgr:") if "600,000" in line)
    assert "800,000" in soviet_troops and "[2]" in soviet_troops and "[3]" in soviet_troops
    expect(page.locator("table.results")).to_contain_text("Soviet Union")  # labels shown
    shot(page, "table")
    page.click("#tabs button[data-view=bars]")
    chart = page.locator("svg.chart")
    expect(chart).to_contain_text("600,000–800,000")
    expect(chart).to_contain_text("33+")
    shot(page, "bar-chart")


def test_result_link_leads_to_the_resource_page(page, shot, article_server):
    open_page(page)
    run_example(page, "Which Polish towns let the Red Army in")
    link = page.locator("table.results a", has_text="kgr:Dubno")
    expect(link).to_have_attribute("href", "/resource/Dubno")
    expect(page.locator("table.results")).to_contain_text("Włodzimierz Wołyński")
    shot(page, "towns")
    link.click()
    page.wait_for_url("**/resource/Dubno")
    expect(page.locator("h1")).to_contain_text("Dubno")
    shot(page, "resource-page")


def test_broken_query_is_explained_and_its_position_marked(page, shot):
    open_page(page)
    type_query(page, BROKEN_QUERY)
    page.click(".cm-content")
    page.keyboard.press("Control+Enter")
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Syntax error on line 3, at “foo:date”.")
    expect(error).to_contain_text("The prefix “foo:” is not declared")
    marked = page.locator(".cm-lintRange-error")
    expect(marked).to_have_count(1)
    expect(marked).to_have_text("foo:date")  # the token at fault, on the third line
    expect(page.locator("#results")).to_be_hidden()
    shot(page, "syntax-error")


def test_shared_link_reproduces_the_same_results(page, shot, browser):
    open_page(page)
    run_example(page, "Every dated event on a timeline")
    first = table_text(page)
    page.click("#tabs button[data-view=timeline]")
    shot(page, "timeline")  # also the README's docs/query-page.png
    page.click("#copy-link")
    expect(page.locator("#copy-link")).to_have_text(re.compile("Link copied|Link in address bar"))
    link = page.evaluate("navigator.clipboard.readText()")
    assert link.startswith(page.url.split("#")[0]) and "#query=" in link

    assert "view=timeline" in link
    other = page.context.new_page()
    other.goto(link)
    # The link keeps the chosen view: the timeline opens, and the table is the same.
    other.wait_for_selector("#view[data-view=timeline] svg.chart")
    expect(other.locator("#tabs [aria-selected=true]")).to_have_text("Timeline")
    other.click("#tabs button[data-view=table]")
    other.wait_for_selector("table.results")
    assert table_text(other) == first
    expect(other.locator("#status")).to_have_text(re.compile(r"^\d+ rows in"))
    shot(other, "opened-link")


def test_query_in_the_url_runs_on_load(page):
    open_page(page, "/query?query=" + quote("SELECT (1 + 1 AS ?two) WHERE {}"))
    expect(page.locator("table.results")).to_contain_text("2")


def test_running_state_shows_elapsed_time_and_cancels(page, shot):
    open_page(page)
    type_query(page, SLOW_QUERY)
    page.click("#run")
    status = page.locator("#status")
    expect(status).to_have_text(re.compile(r"Running… 0\.[3-9] s|Running… [1-9]"))
    expect(page.locator("#cancel")).to_be_visible()
    shot(page, "running")
    page.click("#cancel")
    expect(status).to_have_text(re.compile(r"^Cancelled after"))
    expect(page.locator("#run")).to_be_visible()


def test_construct_answer_is_shown_as_turtle(page, shot):
    open_page(page)
    run_example(page, "Everything the graph says about the invasion")
    expect(page.locator("pre.turtle")).to_contain_text("kgr:SovietInvasionOfPoland")
    expect(page.locator("#status")).to_have_text(re.compile(r"^\d+ triples in"))
    shot(page, "turtle")


def test_downloads_hold_the_rows_shown(page, article_server):
    open_page(page)
    run_example(page, "What is the article called in other languages?")
    with page.expect_download() as download:
        page.click("#downloads button[data-format=csv]")
    csv = open(download.value.path(), encoding="utf-8", newline="").read()
    assert csv.splitlines()[0] == "language,title"
    assert "sh,Sovjetska invazija Poljske" in csv
    # Made in the page from the JSON shown, yet the same as the server's own CSV.
    query = next(e.query for e in load_examples() if e.name == "13-other-languages")
    assert csv == article_server.query(query, accept="text/csv").text
    with page.expect_download() as download:
        page.click("#downloads button[data-format=tsv]")
    tsv = open(download.value.path(), encoding="utf-8").read()
    assert '"Invasi Soviet ke Polandia"@id' in tsv


def test_completion_finds_entities_by_label_and_ontology_terms(page, shot):
    open_page(page)
    type_query(page, "SELECT * WHERE {\n  ?s ?p \n}")
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("End")
    page.keyboard.type("kgr:Lwow")
    page.keyboard.press("Control+Space")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="kgr:Lwow")
    expect(option).to_contain_text("Lwów")
    shot(page, "entity-completion")
    page.keyboard.press("Escape")
    page.keyboard.type(" . ?s a kg:Cit")
    page.keyboard.press("Control+Space")
    expect(page.locator(".cm-tooltip-autocomplete li[aria-selected=true]")).to_contain_text("City")
    page.wait_for_timeout(200)  # a list that just opened ignores Enter for 75 ms
    page.keyboard.press("Enter")
    expect(page.locator(".cm-content")).to_contain_text("kg:City")


def test_truncated_answer_shows_a_visible_notice(browser, start_server, tmp_path, shot):
    server = start_server({"--store": tmp_path / "store", "--ontology-dir": ONTOLOGY_DIR,
                           "--data-file": TRIPLES_FILE, "--max-rows": 5})
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url)
    page = context.new_page()
    try:
        open_page(page, "/query#query=" + quote("SELECT * WHERE { ?s ?p ?o }"))
        notice = page.locator("#notice")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("cut this answer at its row limit")
        expect(page.locator("#status")).to_have_text(re.compile(r"^5 rows in"))
        shot(page, "truncated")
    finally:
        context.close()


TURTLE = '@prefix a: <http://a/> .\na:x a:p "1. ;,", 2.5 ; a:q [ a:r a:s ; a:t [] ] .\n'


def test_page_helpers_read_forms_errors_and_turtle(page):
    open_page(page)
    answers = page.evaluate("""async ([construct, ask, message, turtle]) => {
      const app = await import("/static/query/app.js");
      return [app.queryForm(construct), app.queryForm(ask), app.errorPosition(message),
              app.countTriples(turtle)];
    }""", ["# select this\nPREFIX s: <http://x/select>\nCONSTRUCT {} WHERE {}",
           "ASK { ?select ?p ?o }", "query syntax: error at 12:5: expected", TURTLE])
    assert answers == ["construct", "ask", {"line": 12, "column": 5}, 5]


def test_cancel_stops_the_query_on_the_server_and_frees_its_slot(browser, start_server,
                                                                  tmp_path, shot):
    # One query slot in all and a minute's time limit: had Cancel left the query running,
    # the next query would wait a second for the slot and fail with 503.
    server = start_server({"--store": tmp_path / "store", "--ontology-dir": ONTOLOGY_DIR,
                           "--data-file": TRIPLES_FILE},
                          env={"KG_WORKERS": "1", "KG_QUERY_SLOTS": "1",
                               "KG_QUERY_TIMEOUT": "60", "KG_QUEUE_WAIT": "1"})
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url)
    page = context.new_page()
    try:
        open_page(page)
        type_query(page, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        page.click("#run")
        status = page.locator("#status")
        expect(status).to_have_text(re.compile(r"Running… [1-9]"))
        page.click("#cancel")
        expect(status).to_have_text(re.compile(r"^Cancelled after"))
        type_query(page, "SELECT (1 + 1 AS ?two) WHERE {}")
        page.click("#run")
        expect(page.locator("table.results")).to_contain_text("2")
        shot(page, "after-cancel")
        assert "POST /sparql 499" in server.log.read_text()  # stopped, not left to run
    finally:
        context.close()
