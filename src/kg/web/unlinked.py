"""``/unlinked``: the entities without a Wikidata link, for a Wikidata editor to work through.

The page runs ``kg.wikidata.unlinked.UNLINKED_QUERY`` on the store (the same list as
``kg links export --unlinked``) and shows, for each entity, its page, IRI, class, the
reason the curator recorded for leaving it unlinked, and a Wikidata search for its label.
"""

from urllib.parse import urlencode

from flask import Blueprint, render_template

from kg import iris
from kg.web import page_sparql
from kg.wikidata import unlinked

blueprint = Blueprint("unlinked", __name__)

#: Where an editor looks for an item to link (Wikidata's own search, opened in the browser).
WIKIDATA_SEARCH = "https://www.wikidata.org/w/index.php?"


@blueprint.get(iris.UNLINKED_ROUTE)
def listing():
    rows = page_sparql.select(unlinked.UNLINKED_QUERY)
    entities = unlinked.from_rows([{name: term["value"] for name, term in row.items()}
                                   for row in rows])
    return render_template(
        "unlinked.html", entities=entities, href=iris.href,
        search=lambda label: WIKIDATA_SEARCH + urlencode({"search": label}),
        query=page_sparql.query_link(unlinked.UNLINKED_QUERY))
