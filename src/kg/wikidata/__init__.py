"""The bridge to Wikidata: calls to remote SPARQL endpoints, federated SERVICE, link checks.

Our Wikidata links (``skos:exactMatch`` / ``skos:closeMatch`` to
``http://www.wikidata.org/entity/Q…``) are useful in both directions: queries may join
them with a Wikidata endpoint the operator allows, and ``kg links check`` asks Wikidata
whether each linked item still looks like the thing we mean.
"""

from kg import __version__

#: The Wikidata Query Service; listed in the documented settings example, never on by default.
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"

#: Wikimedia asks every client to name itself and a way to reach its operator
#: (https://meta.wikimedia.org/wiki/User-Agent_policy); the project page does that.
USER_AGENT = f"kresy1939-kg/{__version__} (https://w3id.org/kresy1939/; SPARQL bridge)"
