"""Claims as pages show them: a figure as a range with its sources, or a proposition with
who made it (``kg:QuantityClaim``, ``kg:PropositionClaim``)."""

from dataclasses import dataclass, field

from kg.web.evidence import number
from kg.web.page_sparql import Graph
from kg.web.terms import KG, RDF, Shown, shown


@dataclass
class ClaimView:
    """A figure as a range with its sources, or a proposition with who made it."""

    claim: Shown
    kind: str
    value: str = ""
    quantity: Shown | None = None
    proposition: str = ""
    sources: list[Shown] = field(default_factory=list)
    claimants: list[Shown] = field(default_factory=list)
    sides: list[Shown] = field(default_factory=list)


def figure(minimum: int | None, maximum: int | None, approximate: bool) -> str:
    """``3,000–7,000``, ``up to 20,000``, ``at least 200,000``, ``about 320,000``."""
    if minimum is not None and maximum is not None:
        text = f"{minimum:,}" if minimum == maximum else f"{minimum:,}–{maximum:,}"
        return ("about " if approximate else "") + text
    if maximum is not None:
        return f"up to {maximum:,}"
    if minimum is not None:
        return f"at least {minimum:,}"
    return "no figure given"


def claim_view(graph: Graph, claim, names: dict[str, str]) -> ClaimView:
    types = {t.value for t in graph.objects(claim, RDF + "type")}
    approximate = getattr(graph.value(claim, KG + "approximate"), "value", "") == "true"
    view = ClaimView(
        claim=shown(claim, names),
        kind="quantity" if KG + "QuantityClaim" in types else "proposition",
        sources=sorted((shown(s, names) for s in graph.objects(claim, KG + "accordingTo")),
                       key=lambda s: reference_order(s.text)),
        claimants=[shown(c, names) for c in graph.objects(claim, KG + "claimant")],
        sides=[shown(s, names) for s in graph.objects(claim, KG + "side")],
        proposition=" ".join(p.value for p in graph.objects(claim, KG + "proposition")),
    )
    if view.kind == "quantity":
        view.value = figure(number(graph.value(claim, KG + "minimum")),
                            number(graph.value(claim, KG + "maximum")), approximate)
        kind = graph.value(claim, KG + "quantityKind")
        view.quantity = shown(kind, names) if kind is not None else None
    return view


def reference_order(marker: str) -> tuple:
    """[1] < [4] < [10] < [Note 3]."""
    inner = marker.strip("[]")
    return (not inner.isdigit(), int(inner) if inner.isdigit() else 0, inner)
