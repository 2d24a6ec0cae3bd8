"""The figures page as a data journalist uses it: every figure, with labels, in a CSV that a
spreadsheet opens right, and the same as JSON; checked against the store."""

import csv
import io
import re

import requests

from kg import iris

BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"

CLAIMS_QUERY = """
SELECT ?claim ?minimum ?maximum WHERE {
  GRAPH ?g { ?claim a kg:QuantityClaim }
  OPTIONAL { ?claim kg:minimum ?minimum } OPTIONAL { ?claim kg:maximum ?maximum }
}"""


def rows(server) -> list[dict]:
    answer = requests.get(server.url + iris.FIGURES_ROUTE + ".json", timeout=30)
    assert answer.status_code == 200
    return answer.json()["rows"]


def test_every_quantity_claim_is_a_row_with_its_range(article_server):
    def number(value):
        return int(value) if value is not None else None

    expected = {r["claim"]: (number(r.get("minimum")), number(r.get("maximum")))
                for r in article_server.select(CLAIMS_QUERY)}
    shown = {r["claim_iri"]: (r["minimum"], r["maximum"]) for r in rows(article_server)}
    assert len(expected) > 10
    assert shown == expected
    page = requests.get(article_server.url + iris.FIGURES_ROUTE,
                        headers={"Accept": BROWSER_ACCEPT}, timeout=30).text
    for claim in expected:
        assert f'href="{iris.href(claim)}"' in page, claim


def test_the_dead_or_missing_range_keeps_its_quote_and_sources(article_server):
    [row] = [r for r in rows(article_server) if r["figure"] == "3,000–7,000"]
    assert (row["minimum"], row["maximum"]) == (3000, 7000)
    assert row["counted"] == "dead or missing" and row["side"] == "Second Polish Republic"
    assert row["quote"].startswith("3,000–7,000 dead or missing")
    assert row["sources"] == "[1] [4]" and row["where"] == "Infobox"


def test_figures_from_the_infobox_and_from_the_prose_are_both_there(article_server):
    places = {r["where"] for r in rows(article_server)}
    assert "Infobox" in places and places - {"Infobox", ""}


def test_figures_csv_opens_in_a_spreadsheet_with_labels(article_server):
    answer = requests.get(article_server.url + iris.FIGURES_ROUTE + ".csv", timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="figures.csv"' in answer.headers["Content-Disposition"]
    assert answer.content.startswith("\ufeff".encode())  # the BOM spreadsheets need for UTF-8
    table = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(table) == len(rows(article_server))
    for row in table:
        for column in ("counted", "side", "claim"):
            assert not row[column].startswith("http"), row
    assert any(row["figure"] == "3,000–7,000" for row in table)  # the en dash survives


def test_figures_chart_has_a_linear_axis_with_ticks(article_server):
    page = requests.get(article_server.url + iris.FIGURES_ROUTE,
                        headers={"Accept": BROWSER_ACCEPT}, timeout=30).text
    chart = page.split('id="chart-heading"', 1)[1]
    first = chart.split("</svg>", 1)[0]
    ticks = [int(t.replace(",", "")) for t in
             re.findall(r'text-anchor="middle"[^>]*>([\d,]+)</text>', first)]
    assert ticks[0] == 0 and len(ticks) >= 3
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1  # evenly spaced: linear, not logarithmic
