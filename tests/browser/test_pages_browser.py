"""The resource page and the article view in a real browser, with screenshots to look at."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def test_resource_page_shows_facts_with_quotes_and_claims(page, shot):
    page.goto("/resource/SovietInvasionOfPoland")
    expect(page.locator("h1")).to_have_text("Soviet invasion of Poland")
    facts = page.locator("dl.facts")
    # The start date, as a reader writes it, with its quote highlighted in its sentence.
    expect(facts).to_contain_text("17 September 1939")
    # How it is known is folded under each fact until asked for.
    start = facts.locator("dd.fact[data-property$=\"#startDate\"]").first
    quote = start.locator("mark.exact", has_text="17 September – 6 October 1939").first
    expect(quote).to_be_hidden()
    start.locator("summary").click()
    expect(quote).to_be_visible()
    # A figure as a range with its sources, and the Wikidata link with its QID.
    expect(page.locator(".claims")).to_contain_text("3,000–7,000")
    expect(page.locator(".claims")).to_contain_text("according to [1][4]")
    expect(page.locator(".wikidata")).to_contain_text("Q")
    shot(page, "invasion", full_page=False)
    page.locator("#facts-heading").scroll_into_view_if_needed()
    shot(page, "invasion-facts", full_page=False)
    # The Turtle link gives the same resource's data.
    href = page.locator(".formats a", has_text="TTL").get_attribute("href")
    assert href == "/resource/SovietInvasionOfPoland.ttl"


def test_claim_page_shows_the_range_and_its_sources(page, shot):
    page.goto("/resource/claim-polish-dead-or-missing")
    expect(page.locator(".claim-box")).to_contain_text("3,000–7,000 dead or missing")
    expect(page.locator(".claim-box")).to_contain_text("according to [1][4]")
    shot(page, "claim")


def test_article_view_lists_a_spans_statements_on_hover_and_focus(page, shot):
    page.goto("/article")
    marks = page.locator(".article-text mark")
    assert marks.count() > 50
    span = page.locator(".ev", has=page.locator("mark", has_text="600,000–800,000 troops")).first
    tip = span.locator(":scope > .tip")
    expect(tip).to_be_hidden()
    span.locator(":scope > mark").hover()
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("Soviet strength: 600,000–800,000 troops")
    shot(page, "hover", full_page=False)
    page.mouse.move(0, 0)
    expect(tip).to_be_hidden()
    # The keyboard reaches the same list: focus the span, then Enter opens its links.
    other = page.locator(".ev", has=page.locator("mark", has_text="4,736 tanks")).first
    other.locator(":scope > mark").focus()
    other_tip = other.locator(":scope > .tip")
    expect(other_tip).to_be_visible()
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert re.match(r"^/resource/", focused)
    expect(other_tip).to_be_visible()
    shot(page, "focus", full_page=False)
    page.keyboard.press("Enter")
    page.wait_for_url("**/resource/**")
    expect(page.locator("h1")).to_be_visible()


def test_article_view_marks_sentences_without_statements(page, shot):
    page.goto("/article")
    bare = page.locator(".article-text .bare")
    listed = page.locator(".bare-list li")
    assert bare.count() == listed.count()
    expect(page.locator(".summary")).to_contain_text(f"{bare.count()} of")
    shot(page, "whole")


def test_landing_page_links_everywhere(page, shot):
    page.goto("/")
    for name in ("Read the article", "Ask it in SPARQL", "Download the whole graph",
                 "VoID description"):
        expect(page.get_by_role("link", name=re.compile(name)).first).to_be_visible()
    expect(page.locator("ol.timeline")).to_contain_text("17 September 1939")
    shot(page, "landing")


def test_article_view_works_without_javascript(browser, article_server, shot):
    context = browser.new_context(java_script_enabled=False, base_url=article_server.url,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto("/article")
        span = page.locator(".ev", has=page.locator("mark", has_text="3,300 aircraft")).first
        span.locator(":scope > mark").focus()
        tip = span.locator(":scope > .tip")
        expect(tip).to_be_visible()
        expect(tip).to_contain_text("Soviet strength: 3,300 aircraft")
        shot(page, "no-script", full_page=False)
    finally:
        context.close()
