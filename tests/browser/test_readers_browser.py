"""Three readers who do not write SPARQL, in a real browser at a laptop's and a phone's size.

- The historian searches for a casualty figure and reaches its sources and its words in
  the article.
- The data journalist downloads every figure as a labelled CSV and sees them on a linear axis.
- The keyboard user runs an example and reads its answer without a mouse.

Every page type is also checked with axe-core (vendored, injected into the page) and for
sideways overflow at 390 px. Each step leaves a screenshot in test-artifacts/browser/.
One browser (the session's) and one server (``article_server``) serve every test here.
"""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SIZES = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

#: One page of each type the site has.
PAGE_TYPES = {
    "landing": "/",
    "article": "/article",
    "resource": "/resource/SovietInvasionOfPoland",
    "claim": "/resource/claim-polish-dead-or-missing",
    "evidence": "/resource/ev-3ecd3ac22476",
    "ontology": "/ontology",
    "downloads": "/dumps/",
    "query": "/query",
    "search": "/search?q=NKVD",
    "figures": "/figures",
    "class": "/class/City",
    "classes": "/class/",
    "not-found": "/no/such/page",
}


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def sized(request, browser, article_server):
    """(page, size name) in a fresh context of the size; fails on another host's traffic
    or a script error, as the shared ``page`` fixture does."""
    context = browser.new_context(viewport=SIZES[request.param], accept_downloads=True,
                                  base_url=article_server.url)
    opened = context.new_page()
    elsewhere, errors = [], []
    opened.on("request", lambda r: r.url.startswith(article_server.url)
              or r.url.startswith(("data:", "blob:")) or elsewhere.append(r.url))
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened, request.param
    context.close()
    assert not elsewhere, f"the page contacted other hosts: {elsewhere}"
    assert not errors, f"script errors: {errors}"


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' '))
        .slice(0, 3).join(', ')}`)""")
    return found


def test_no_axe_violations_and_no_sideways_overflow_on_any_page_type(sized, shot):
    page, size = sized
    report = {}
    for kind, path in PAGE_TYPES.items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            report[kind] = violations
        if size == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= SIZES["phone"]["width"], f"{path} is {width} px wide at 390 px"
        shot(page, f"{size}-{kind}", full_page=False)
    assert not report, report


def test_historian_reaches_the_sources_of_a_casualty_figure_from_a_search(sized, shot):
    page, size = sized
    page.goto("/")
    box = page.locator("header form[role=search] input[name=q]")
    box.fill("3,000–7,000 dead")
    box.press("Enter")
    expect(page.locator("h1")).to_contain_text("3,000–7,000 dead")
    shot(page, f"{size}-1-search")
    page.locator("#group-claim ~ ul a", has_text="3,000–7,000 dead or missing").first.click()
    claim = page.locator(".claim-box")
    expect(claim).to_contain_text("3,000–7,000 dead or missing")
    expect(claim).to_contain_text("according to [1][4]")
    shot(page, f"{size}-2-claim")
    # How the figure is known: the article's words, folded under the fact, then the span.
    fact = page.locator("dd.fact", has=page.locator("summary", has_text="the article says")).first
    fact.locator("summary").click()
    expect(fact.locator("mark.exact").first).to_be_visible()
    shot(page, f"{size}-3-how-known", full_page=False)
    fact.locator("a", has_text="in the article").first.click()
    target = page.locator(".ev:target")
    expect(target).to_have_count(1)
    expect(target.locator(":scope > mark")).to_contain_text("dead or missing")
    assert page.evaluate("getComputedStyle(document.querySelector('.ev:target > mark'))"
                         ".outlineStyle") == "solid"
    shot(page, f"{size}-4-span-in-article", full_page=False)
    # The sources: the reference pages the claim names.
    page.go_back()
    page.locator(".claim-box a", has_text="[1]").click()
    expect(page.locator("h1")).to_contain_text("[1]")
    shot(page, f"{size}-5-reference")


def test_journalist_downloads_every_figure_as_labelled_csv_and_sees_a_linear_chart(
        sized, shot, article_server):
    page, size = sized
    page.goto("/figures")
    rows = page.locator("#figures-table tbody tr")
    total = rows.count()
    assert total > 10
    shot(page, f"{size}-1-figures", full_page=False)
    with page.expect_download() as downloading:
        page.locator("a", has_text="CSV").first.click()
    download = downloading.value
    assert download.suggested_filename == "figures.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == total
    assert {"Second Polish Republic", "Soviet Union"} <= {r["side"] for r in table}
    assert all(not r["counted"].startswith("http") for r in table)
    # Filter by side, sort by maximum: the table answers without a query.
    page.select_option("select[data-filter=side]", "Soviet Union")
    visible = page.locator("#figures-table tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    expect(page.locator(".shown-count")).to_contain_text(f"of {total} shown")
    page.locator("#figures-table th button", has_text="Maximum").click()
    shot(page, f"{size}-2-filtered-sorted", full_page=False)
    # The chart: evenly spaced ticks from 0 (a linear axis), a range drawn as a bar.
    chart = page.locator("figure.range-chart", has_text="dead or missing")
    chart.scroll_into_view_if_needed()
    ticks = [int(t.replace(",", "")) for t in chart.locator("text[text-anchor=middle]")
             .all_text_contents()]
    assert ticks[0] == 0 and len({b - a for a, b in zip(ticks, ticks[1:], strict=False)}) == 1
    shot(page, f"{size}-3-chart", full_page=False)


def test_keyboard_user_runs_an_example_and_reads_its_answer(sized, shot):
    page, size = sized
    page.goto("/query")
    page.wait_for_selector("body[data-ready=true]")
    # The editor has the focus; Tab leaves it (no indentation), Shift+Tab goes back to the tools.
    page.locator(".cm-content").focus()
    page.keyboard.press("Tab")
    assert not page.evaluate("!!document.activeElement.closest('.cm-editor')")
    page.locator(".cm-content").focus()
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.id") == "copy-link":
            break
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.closest('#examples') !== null")
    page.keyboard.press("Enter")  # opens the Examples menu
    expect(page.locator("#example-list")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the second example: the invasion's strength
    chosen = page.evaluate("document.activeElement.dataset.example")
    assert chosen
    shot(page, f"{size}-1-examples", full_page=False)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("rows")
    # The focus is on Run; Tab goes on to the result tabs, and arrows switch views.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('role')") == "tab":
            break
    assert page.evaluate("document.activeElement.getAttribute('role')") == "tab"
    expect(page.locator("#view table.results")).to_be_visible()
    shot(page, f"{size}-2-table", full_page=False)
    page.keyboard.press("ArrowRight")
    selected = page.locator("#tabs [aria-selected=true]")
    expect(selected).not_to_have_text("Table")
    assert page.evaluate("document.activeElement.getAttribute('aria-selected')") == "true"
    shot(page, f"{size}-3-next-view", full_page=False)
    page.keyboard.press("Home")
    expect(selected).to_have_text("Table")
    rows = page.locator("#view table.results tbody tr")
    assert rows.count() > 0
    # The answer reads as numbers with separators.
    expect(page.locator("#view table.results")).to_contain_text(",")


def test_article_pop_up_links_are_out_of_the_tab_order_until_opened(sized, shot):
    page, size = sized
    page.goto("/article")
    first, second = page.locator(".article-text .ev > mark").nth(0), \
        page.locator(".article-text .ev > mark").nth(1)
    first.focus()
    page.keyboard.press("Tab")
    # Tab goes from one span to the next, not through the first one's links.
    assert page.evaluate("document.activeElement.tagName") == "MARK"
    assert second.evaluate("e => e === document.activeElement")
    tip = page.locator(".ev:has(> mark:focus) > .tip")
    expect(tip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "A"
    shot(page, f"{size}-opened", full_page=False)
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.tagName") == "MARK"
    expect(tip).to_be_hidden()
    box = page.locator(".ev > .tip").first.evaluate(
        "t => { const s = getComputedStyle(t); return [s.maxHeight, s.overflowY]; }")
    assert box[1] == "auto" and box[0] != "none"
