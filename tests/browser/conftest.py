"""A real browser for the query page: Debian's chromium, driven headless by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (installed by
``make browser``, which ``make test`` runs). Each step's screenshot goes to
test-artifacts/browser/ (kept out of git), so a person can look at what the tests saw.
"""

from pathlib import Path

import pytest

from kg.iris import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
#: The flags the machine's notes give: no sandbox as root, and no background traffic,
#: which the closed network would refuse over and over.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need Debian's chromium: run `make browser` (as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, article_server):
    """A fresh page on the article server; fails the test if the page asked another host
    for anything or threw a script error."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True,
                                  base_url=article_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=article_server.url)
    opened = context.new_page()
    elsewhere, errors = [], []
    opened.on("request", lambda r: r.url.startswith(article_server.url)
              or r.url.startswith(("data:", "blob:")) or elsewhere.append(r.url))
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not elsewhere, f"the page contacted other hosts: {elsewhere}"
    assert not errors, f"script errors: {errors}"


@pytest.fixture
def shot(request):
    """shot(page, "name") saves test-artifacts/browser/<test>-<name>.png (the whole page, or
    only the window with ``full_page=False``, e.g. to see a popup where it opened)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{request.node.name.removeprefix('test_')}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save
