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
  // Numbers with thousands separators ("320,000"); the value as written is the tooltip.
  const shown = isNumber(term) && /^[+-]?\d+(\.\d+)?$/.test(term.value)
    ? Number(term.value).toLocaleString("en-GB", { maximumFractionDigits: 20 }) : term.value;
  const cell = el("td", { class: isNumber(term) ? "literal number" : "literal",
    title: shown !== term.value ? term.value : null, lang: term["xml:lang"] || null }, shown);
  if (term["xml:lang"]) cell.append(el("span", { class: "lang", lang: "en" }, `@${term["xml:lang"]}`));
  else if (term.datatype && !isNumber(term) && term.datatype !== XSD + "string") {
    cell.append(el("span", { class: "datatype" }, terms.qname(term.datatype)));
  }
  return cell;
}

/** Rows a table page shows; longer answers get Previous/Next. */
export const PAGE_ROWS = 100;

/** How a column sorts: numbers by value, IRIs by label, the rest as text. */
function sortKey(term, terms) {
  if (!term) return null;
  if (isNumber(term)) return Number(term.value);
  if (term.type === "uri") return (terms.label(term.value) || terms.qname(term.value)).toLocaleLowerCase();
  return term.value.toLocaleLowerCase();
}

/**
 * The results as a table; IRIs link to their pages and show their labels. Column
 * headings sort (again: the other way), and a long answer is shown a page at a time.
 */
export function renderTable(results, terms) {
  if ("boolean" in results) {
    return el("p", { class: "ask" }, `The answer is ${results.boolean ? "yes" : "no"}.`);
  }
  const vars = results.head.vars;
  const all = results.results.bindings;
  const view = { column: null, ascending: true, page: 0 };
  const wrap = el("div", { class: "table-view" });
  const draw = () => {
    let rows = all;
    if (view.column !== null) {
      rows = [...all].sort((a, b) => {
        const x = sortKey(a[view.column], terms), y = sortKey(b[view.column], terms);
        if (x === null) return 1;
        if (y === null) return -1;
        const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return view.ascending ? order : -order;
      });
    }
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
    view.page = Math.min(view.page, pages - 1);
    const shown = rows.slice(view.page * PAGE_ROWS, (view.page + 1) * PAGE_ROWS);
    const head = el("tr", {}, ...vars.map((v) => {
      const sorted = view.column === v;
      const button = el("button", { type: "button", class: "sort" }, `?${v}`);
      button.addEventListener("click", () => {
        view.ascending = sorted ? !view.ascending : true;
        view.column = v;
        view.page = 0;
        draw();
        wrap.querySelector(`th[data-var="${v}"] button`).focus();
      });
      return el("th", { scope: "col", "data-var": v,
        "aria-sort": sorted ? (view.ascending ? "ascending" : "descending") : null }, button);
    }));
    const body = el("tbody");
    for (const row of shown) body.append(el("tr", {}, ...vars.map((v) => termCell(row[v], terms))));
    const table = el("table", { class: "results" }, el("thead", {}, head), body);
    const parts = [el("div", { class: "table-scroll", tabindex: "0", role: "region",
      "aria-label": "Results table" }, table)];
    if (pages > 1) {
      const step = (delta) => () => { view.page += delta; draw(); };
      const previous = el("button", { type: "button", class: "page-previous" }, "‹ Previous");
      const next = el("button", { type: "button", class: "page-next" }, "Next ›");
      previous.disabled = view.page === 0;
      next.disabled = view.page === pages - 1;
      previous.addEventListener("click", step(-1));
      next.addEventListener("click", step(1));
      const first = view.page * PAGE_ROWS + 1;
      parts.push(el("nav", { class: "pager", "aria-label": "Pages of the results" }, previous,
        el("span", { class: "page-status", role: "status" },
          `Rows ${first.toLocaleString("en-GB")}–${(first + shown.length - 1).toLocaleString("en-GB")} of ${rows.length.toLocaleString("en-GB")}`),
        next));
    }
    wrap.replaceChildren(...parts);
  };
  draw();
  return wrap;
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

/**
 * The columns of a download: each variable, and beside one that holds IRIs with labels
 * a ``<var>Label`` column (the Wikidata Query Service's convention), so a spreadsheet
 * reads "Lwów" where the table on screen does.
 */
function downloadColumns(results, terms) {
  const columns = [];
  for (const v of results.head.vars) {
    columns.push([v, (row) => row[v]]);
    const labelled = terms && results.results.bindings.some(
      (row) => row[v] && row[v].type === "uri" && terms.label(row[v].value));
    if (labelled) {
      columns.push([`${v}Label`, (row) => {
        const label = row[v] && row[v].type === "uri" ? terms.label(row[v].value) : "";
        return label ? { type: "literal", value: label } : undefined;
      }]);
    }
  }
  return columns;
}

/** SPARQL 1.1 Query Results CSV: plain values, CRLF line ends; labels beside IRIs. */
export function toCsv(results, terms) {
  const columns = downloadColumns(results, terms);
  const lines = [columns.map(([name]) => csvField(name)).join(",")];
  for (const row of results.results.bindings) {
    lines.push(columns.map(([, get]) => {
      const term = get(row);
      if (!term) return "";
      return csvField(term.type === "bnode" ? `_:${term.value}` : term.value);
    }).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

/** SPARQL 1.1 Query Results TSV: terms in Turtle/N-Triples syntax; labels beside IRIs. */
export function toTsv(results, terms) {
  const columns = downloadColumns(results, terms);
  const lines = [columns.map(([name]) => `?${name}`).join("\t")];
  for (const row of results.results.bindings) {
    lines.push(columns.map(([, get]) => tsvTerm(get(row))).join("\t"));
  }
  return lines.join("\n") + "\n";
}
