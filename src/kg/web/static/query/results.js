// Result views: one small function per view, each given the parsed SPARQL JSON
// results (https://www.w3.org/TR/sparql11-results-json/) and a `terms` helper that
// knows prefixes, labels and local routes. Downloads are made from the same JSON,
// following the SPARQL 1.1 CSV and TSV result formats, so they hold exactly the rows shown.

const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(["integer", "decimal", "double", "float", "long", "int", "short",
  "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
  "unsignedInt", "unsignedLong"].map((t) => XSD + t));
const DATES = new Set(["date", "dateTime", "gYear", "gYearMonth"].map((t) => XSD + t));

export const isNumber = (term) => term && term.type !== "uri" && NUMERIC.has(term.datatype);
export const isDate = (term) => term && term.type !== "uri" && DATES.has(term.datatype);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/**
 * Knows how to show a term: prefixed names, labels fetched for IRIs, and the
 * local route of a resource IRI (so links stay on this server).
 */
export class Terms {
  constructor({ prefixes, resourceBase, resourceRoute }) {
    this.prefixes = Object.entries(prefixes).sort((a, b) => b[1].length - a[1].length);
    this.resourceBase = resourceBase;
    this.resourceRoute = resourceRoute;
    this.labels = {};
  }

  qname(iri) {
    for (const [name, ns] of this.prefixes) {
      const local = iri.slice(ns.length);
      if (iri.startsWith(ns) && /^[\w.-]*$/.test(local) && !local.endsWith(".")) {
        return `${name}:${local}`;
      }
    }
    return `<${iri}>`;
  }

  href(iri) {
    if (iri.startsWith(this.resourceBase)) {
      return this.resourceRoute + iri.slice(this.resourceBase.length);
    }
    return iri;
  }

  label(iri) {
    return this.labels[iri];
  }
}

/** Every IRI in the results, so their labels can be fetched in one request. */
export function iris(results) {
  const found = new Set();
  for (const row of results.results.bindings) {
    for (const term of Object.values(row)) if (term.type === "uri") found.add(term.value);
  }
  return [...found];
}

function termCell(term, terms) {
  if (!term) return el("td", { class: "unbound" });
  if (term.type === "uri") {
    const label = terms.label(term.value);
    const local = term.value.startsWith(terms.resourceBase);
    const link = el("a", { href: terms.href(term.value), title: term.value,
      class: local ? "iri local" : "iri", rel: local ? null : "noopener" },
    terms.qname(term.value));
    return el("td", {}, link, label ? el("span", { class: "label" }, label) : null);
  }
  if (term.type === "bnode") return el("td", { class: "bnode" }, `_:${term.value}`);
  if (term.type === "triple") return el("td", { class: "triple" }, JSON.stringify(term.value));
  const cell = el("td", { class: isNumber(term) ? "literal number" : "literal" }, term.value);
  if (term["xml:lang"]) cell.append(el("span", { class: "lang" }, `@${term["xml:lang"]}`));
  else if (term.datatype && !isNumber(term) && term.datatype !== XSD + "string") {
    cell.append(el("span", { class: "datatype" }, terms.qname(term.datatype)));
  }
  return cell;
}

/** The results as a table; IRIs link to their pages and show their labels. */
export function renderTable(results, terms) {
  if ("boolean" in results) {
    return el("p", { class: "ask" }, `The answer is ${results.boolean ? "yes" : "no"}.`);
  }
  const vars = results.head.vars;
  const head = el("tr", {}, ...vars.map((v) => el("th", { scope: "col" }, `?${v}`)));
  const body = el("tbody");
  for (const row of results.results.bindings) {
    body.append(el("tr", {}, ...vars.map((v) => termCell(row[v], terms))));
  }
  return el("table", { class: "results" }, el("thead", {}, head), body);
}

/** Pretty-printed JSON, as the server sent it. */
export function renderJson(results) {
  return el("pre", { class: "raw" }, JSON.stringify(results, null, 2));
}

/** A CONSTRUCT or DESCRIBE answer, as the Turtle the server sent. */
export function renderTurtle(text) {
  return el("pre", { class: "raw turtle" }, text);
}

function csvField(text) {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function tsvTerm(term) {
  if (!term) return "";
  if (term.type === "uri") return `<${term.value}>`;
  if (term.type === "bnode") return `_:${term.value}`;
  if (isNumber(term) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(term.value)) {
    return term.value;
  }
  const escaped = term.value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')
    .replaceAll("\n", "\\n").replaceAll("\r", "\\r").replaceAll("\t", "\\t");
  if (term["xml:lang"]) return `"${escaped}"@${term["xml:lang"]}`;
  if (term.datatype && term.datatype !== XSD + "string") return `"${escaped}"^^<${term.datatype}>`;
  return `"${escaped}"`;
}

/** SPARQL 1.1 Query Results CSV: plain values, CRLF line ends. */
export function toCsv(results) {
  const vars = results.head.vars;
  const lines = [vars.map(csvField).join(",")];
  for (const row of results.results.bindings) {
    lines.push(vars.map((v) => {
      const term = row[v];
      if (!term) return "";
      return csvField(term.type === "bnode" ? `_:${term.value}` : term.value);
    }).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

/** SPARQL 1.1 Query Results TSV: terms in Turtle/N-Triples syntax. */
export function toTsv(results) {
  const vars = results.head.vars;
  const lines = [vars.map((v) => `?${v}`).join("\t")];
  for (const row of results.results.bindings) lines.push(vars.map((v) => tsvTerm(row[v])).join("\t"));
  return lines.join("\n") + "\n";
}
