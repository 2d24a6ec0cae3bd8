// The query page: runs the editor's query against the SPARQL endpoint and shows
// the answer. Everything it loads comes from this server (see query.html).
import { createEditor } from "./editor.js";
import {
  Terms, iris, renderTable, renderJson, renderTurtle, toCsv, toTsv,
} from "./results.js";
import {
  hasTimeline, hasBars, renderTimeline, renderBars, barColumns, rangeColumns,
} from "./charts.js";

const config = JSON.parse(document.getElementById("kg-config").textContent);
const $ = (id) => document.getElementById(id);
const terms = new Terms(config);

const ACCEPT = {
  select: "application/sparql-results+json",
  ask: "application/sparql-results+json",
  construct: "text/turtle",
  describe: "text/turtle",
};

/** The query form (select, ask, construct, describe), read past comments, strings and the prologue. */
export function queryForm(text) {
  const code = text.replace(/<[^>\s]*>/g, "<>").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""')
    .replace(/#.*$/gm, "");
  const match = /(?<![?$:\w])(select|ask|construct|describe)\b/i.exec(code);
  return match ? match[1].toLowerCase() : "select";
}

/**
 * How many triples a Turtle document holds: its ".", ";" and "," terminators outside
 * IRIs, strings and comments, plus one per "[ … ]" (the server writes no collections).
 */
export function countTriples(turtle) {
  const code = turtle
    .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''/g, '""')
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""')
    .replace(/<[^>\s]*>/g, "<>")
    .replace(/#.*$/gm, "")
    .replace(/^\s*@(prefix|base)\b.*$/gim, "");
  const terminators = (code.match(/[;,]|\.(?=\s|$)/g) || []).length;
  // The last triple inside a non-empty "[ … ]" has no terminator of its own.
  const propertyLists = (code.match(/\[\s*[^\s\]]/g) || []).length;
  return terminators + propertyLists;
}

/** "error at 3:17" (Oxigraph) or "line 3, column 17": the position of a syntax error. */
export function errorPosition(message) {
  const match = /\bat (\d+):(\d+)\b/.exec(message) || /line (\d+),? column (\d+)/i.exec(message);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : null;
}

/**
 * One readable sentence from Oxigraph's parser message, which lists every token and
 * character class it would have accepted; `token` is the marked text.
 */
export function syntaxHint(message, token) {
  const prefix = /^([\w-]*):/.exec(token);
  if (/Prefix not found/.test(message) && prefix) {
    return `The prefix “${prefix[1]}:” is not declared: add PREFIX ${prefix[1]}: <…> above ` +
      "the query, or use a prefix every query knows (kg:, kgr:, rdfs:, skos:, …).";
  }
  const expected = /expected (?:one of )?([\s\S]*)/.exec(message);
  if (!expected) return "";
  const tokens = [...new Set([...expected[1].matchAll(/"([^"]+)"|\b([A-Z][A-Za-z_]+)\b/g)]
    .map((m) => (m[1] ? `“${m[1]}”` : m[2])).filter((t) => t !== "Prefix"))];
  if (!tokens.length) return "";
  const shown = tokens.slice(0, 10).join(", ") + (tokens.length > 10 ? ", …" : "");
  return `Near “${token}” the parser expected ${tokens.length > 1 ? "one of " : ""}${shown}.`;
}

const state = {
  controller: null, timer: null, last: null,
  // The example loaded last (downloads are named after it while its query is unchanged).
  example: null,
  // The chosen view and chart settings, kept in the shared link.
  view: null, chart: {},
};

function queryFromUrl() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.has("query")) return hash.get("query");
  const search = new URLSearchParams(location.search);
  return search.has("query") ? search.get("query") : null;
}

/** The view and chart settings a shared link asked for: #query=…&view=bars&log=1&name=x&value=y. */
function viewFromUrl() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const chart = {};
  if (hash.get("log") === "1") chart.log = true;
  if (hash.get("name")) chart.nameVar = hash.get("name");
  if (hash.get("value")) chart.lowVar = hash.get("value");
  if (hash.has("to")) chart.highVar = hash.get("to");
  return { view: hash.get("view"), chart };
}

function shareUrl(query) {
  const params = new URLSearchParams({ query });
  if (state.view && state.view !== "table") params.set("view", state.view);
  if (state.view === "bars") {
    if (state.chart.log) params.set("log", "1");
    if (state.chart.nameVar) params.set("name", state.chart.nameVar);
    if (state.chart.lowVar) params.set("value", state.chart.lowVar);
    if (state.chart.highVar !== undefined) params.set("to", state.chart.highVar || "");
  }
  return `${location.origin}${location.pathname}#${params.toString().replaceAll("+", "%20")}`;
}

/** Downloads are named after the example, or "query": "figures-with-sources.csv". */
function fileStem() {
  const example = state.example;
  return example && example.query === editor.getQuery() ? example.name : "query";
}

async function getJson(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function searchLabels(text) {
  if (!text) return [];
  try {
    const answer = await getJson(`${config.labelsUrl}?${new URLSearchParams({ q: text, limit: 15 })}`);
    return answer.results;
  } catch {
    return [];
  }
}

async function fetchLabels(list) {
  const unknown = list.filter((iri) => !(iri in terms.labels));
  if (!unknown.length) return;
  try {
    const answer = await getJson(config.labelsUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ iris: unknown }),
    });
    Object.assign(terms.labels, answer.labels);
  } catch {
    // Labels are a nicety: the table still shows every IRI without them.
  }
}

function setStatus(text, kind = "") {
  const status = $("status");
  status.textContent = text;
  status.className = `status ${kind}`;
}

function showNotice(text) {
  const notice = $("notice");
  notice.textContent = text || "";
  notice.hidden = !text;
}

function showError(title, detail, hint = "") {
  const box = $("error");
  box.replaceChildren();
  const heading = document.createElement("strong");
  heading.textContent = title;
  box.append(heading);
  if (hint) {
    const words = document.createElement("p");
    words.className = "hint";
    words.textContent = hint;
    box.append(words);
  }
  if (detail) {
    const pre = document.createElement("pre");
    pre.textContent = detail;
    if (hint) {
      // The words above say it; the server's own message stays one click away.
      const more = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = "The server's message";
      more.append(summary, pre);
      box.append(more);
    } else {
      box.append(pre);
    }
  }
  box.hidden = false;
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The views this answer offers, in tab order: [name, title, render()]. */
function viewsFor(answer) {
  if (answer.turtle !== undefined) return [["turtle", "Turtle", () => renderTurtle(answer.turtle)]];
  const views = [["table", "Table", () => renderTable(answer.json, terms)]];
  if (!("boolean" in answer.json)) {
    if (hasTimeline(answer.json)) views.push(["timeline", "Timeline", () => renderTimeline(answer.json, terms)]);
    if (hasBars(answer.json)) views.push(["bars", "Bar chart", () => barsView(answer.json)]);
  }
  views.push(["json", "JSON", () => renderJson(answer.json)]);
  return views;
}

/** A labelled select of columns, for choosing what a chart draws. */
function columnSelect(label, options, selected, onChange, none = null) {
  const select = document.createElement("select");
  for (const [value, text] of [...(none ? [["", none]] : []), ...options.map((v) => [v, `?${v}`])]) {
    select.append(Object.assign(document.createElement("option"), { value, textContent: text,
      selected: value === (selected ?? "") }));
  }
  select.addEventListener("change", () => onChange(select.value));
  const wrap = document.createElement("label");
  wrap.append(`${label} `, select);
  return wrap;
}

/** The bar chart with its controls: which columns, linear or log, and SVG/PNG export. */
function barsView(json) {
  const box = document.createElement("div");
  const { numbers, names } = barColumns(json);
  const [low, high] = rangeColumns(numbers);
  const chart = state.chart;
  const redraw = () => {
    history.replaceState(null, "", shareUrl(editor.getQuery()));
    box.replaceChildren(...barsParts());
  };
  const set = (key) => (value) => { chart[key] = value; redraw(); };
  const barsParts = () => {
    const controls = document.createElement("div");
    controls.className = "chart-controls";
    controls.append(
      columnSelect("Names from", names, chart.nameVar, set("nameVar"), "(the first two columns)"),
      columnSelect("Values from", numbers, chart.lowVar ?? low, set("lowVar")),
      columnSelect("to", numbers, chart.highVar === undefined ? high : chart.highVar, set("highVar"), "(one value)"),
    );
    const log = Object.assign(document.createElement("input"), { type: "checkbox", checked: !!chart.log });
    log.addEventListener("change", () => { chart.log = log.checked; redraw(); });
    const logLabel = document.createElement("label");
    logLabel.append(log, " Logarithmic scale");
    controls.append(logLabel);
    const drawn = renderBars(json, terms, { log: !!chart.log, nameVar: chart.nameVar || undefined,
      lowVar: chart.lowVar, highVar: chart.highVar });
    for (const [title, save] of [["SVG", saveSvg], ["PNG", savePng]]) {
      const button = Object.assign(document.createElement("button"), { type: "button",
        textContent: `Save ${title}`, className: `save-${title.toLowerCase()}` });
      button.addEventListener("click", () => save(drawn));
      controls.append(button);
    }
    const wrap = document.createElement("div");
    wrap.className = "chart-wrap";
    wrap.append(drawn);
    return [controls, wrap];
  };
  box.replaceChildren(...barsParts());
  return box;
}

/** A chart as a standalone SVG file, its styles written into it. */
function svgText(chart) {
  const copy = chart.cloneNode(true);
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  const [, , width, height] = chart.getAttribute("viewBox").split(" ").map(Number);
  copy.setAttribute("width", width);
  copy.setAttribute("height", height);
  const style = document.createElementNS("http://www.w3.org/2000/svg", "style");
  style.textContent = "text{font:12px system-ui,sans-serif;fill:#1f2328}.axis{fill:#57606a}"
    + ".tick{stroke:#e1e4e8}.bar{fill:#1a4fa0}.bar.range{fill:#5b82c7}";
  copy.prepend(style);
  return new XMLSerializer().serializeToString(copy);
}

function saveSvg(chart) {
  download(`${fileStem()}-chart.svg`, "image/svg+xml", svgText(chart));
}

function savePng(chart) {
  const [, , width, height] = chart.getAttribute("viewBox").split(" ").map(Number);
  const image = new Image();
  image.onload = () => {
    const canvas = Object.assign(document.createElement("canvas"), { width: width * 2, height: height * 2 });
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    canvas.toBlob((blob) => {
      const url = URL.createObjectURL(blob);
      const link = Object.assign(document.createElement("a"), { href: url, download: `${fileStem()}-chart.png` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }, "image/png");
  };
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText(chart))}`;
}

function showView(name, { focus = false } = {}) {
  const views = viewsFor(state.last);
  const [chosen, , render] = views.find(([n]) => n === name) || views[0];
  state.view = chosen;
  for (const tab of $("tabs").children) {
    const selected = tab.dataset.view === chosen;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;  // one tab stop for the tab list (roving tabindex)
    if (selected && focus) tab.focus();
  }
  $("view").replaceChildren(render());
  $("view").dataset.view = chosen;
  $("view").setAttribute("aria-labelledby", `tab-${chosen}`);
  if (state.last) history.replaceState(null, "", shareUrl(editor.getQuery()));
}

/** The tabs pattern: arrows move between tabs (and show them), Home and End go to the ends. */
function onTabKey(event) {
  const tabs = [...$("tabs").children];
  const at = tabs.indexOf(document.activeElement);
  if (at < 0) return;
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  showView(tabs[(to + tabs.length) % tabs.length].dataset.view, { focus: true });
}

function showAnswer(answer, wantedView = null) {
  state.last = answer;
  const tabs = $("tabs");
  tabs.replaceChildren();
  for (const [name, title] of viewsFor(answer)) {
    const tab = document.createElement("button");
    Object.assign(tab, { type: "button", textContent: title, id: `tab-${name}` });
    tab.dataset.view = name;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", "view");
    tab.addEventListener("click", () => showView(name));
    tabs.append(tab);
  }
  const downloads = $("downloads");
  downloads.replaceChildren();
  const stem = fileStem();
  const offers = answer.turtle !== undefined
    ? [["Turtle", `${stem}.ttl`, "text/turtle", () => answer.turtle]]
    : [
      ["JSON", `${stem}.srj`, "application/sparql-results+json", () => answer.text],
      ...("boolean" in answer.json ? [] : [
        ["CSV", `${stem}.csv`, "text/csv", () => toCsv(answer.json, terms)],
        ["TSV", `${stem}.tsv`, "text/tab-separated-values", () => toTsv(answer.json, terms)],
      ]),
    ];
  for (const [title, file, type, text] of offers) {
    const button = document.createElement("button");
    Object.assign(button, { type: "button", textContent: title, title: `Download ${file}` });
    button.dataset.format = title.toLowerCase();
    button.addEventListener("click", () => download(file, type, text()));
    downloads.append(button);
  }
  $("results").hidden = false;
  const views = viewsFor(answer).map(([n]) => n);
  showView(wantedView && views.includes(wantedView) ? wantedView : views[0]);
}

function seconds(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function stopRunning() {
  clearInterval(state.timer);
  state.controller = null;
  $("run").hidden = false;
  $("cancel").hidden = true;
  document.body.classList.remove("running");
}

async function run() {
  if (state.controller) return;
  const query = editor.getQuery();
  editor.clearError();
  $("error").hidden = true;
  $("results").hidden = true; // an old answer under a new query would mislead
  showNotice("");
  history.replaceState(null, "", shareUrl(query));
  const form = queryForm(query);
  const controller = new AbortController();
  state.controller = controller;
  const started = performance.now();
  $("run").hidden = true;
  $("cancel").hidden = false;
  document.body.classList.add("running");
  const tick = () => setStatus(`Running… ${((performance.now() - started) / 1000).toFixed(1)} s`, "running");
  tick();
  state.timer = setInterval(tick, 100);
  try {
    const response = await fetch(config.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: ACCEPT[form],
      },
      body: new URLSearchParams({ query }),
      signal: controller.signal,
    });
    const text = await response.text();
    const elapsed = performance.now() - started;
    if (!response.ok) {
      stopRunning();
      explainFailure(response, text, elapsed);
      return;
    }
    const answer = { text, form };
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) answer.json = JSON.parse(text);
    else answer.turtle = text;
    if (answer.json && answer.json.results) await fetchLabels(iris(answer.json));
    stopRunning();
    if (response.headers.get(config.truncationHeader) === "true") {
      showNotice("The server cut this answer at its row limit: only the first rows are shown. " +
        "Narrow the query, or page through it with LIMIT and OFFSET, to see it whole.");
    }
    if (answer.json && "boolean" in answer.json) setStatus(`Answered in ${seconds(elapsed)}`, "done");
    else if (answer.json) {
      const rows = answer.json.results.bindings.length;
      setStatus(`${rows.toLocaleString("en-GB")} ${rows === 1 ? "row" : "rows"} in ${seconds(elapsed)}`, "done");
    } else {
      const triples = countTriples(text);
      setStatus(`${triples.toLocaleString("en-GB")} ${triples === 1 ? "triple" : "triples"} in ${seconds(elapsed)}`, "done");
    }
    showAnswer(answer, state.wantedView ?? state.view);
    state.wantedView = null;
  } catch (error) {
    const elapsed = performance.now() - started;
    stopRunning();
    if (error.name === "AbortError") {
      setStatus(`Cancelled after ${seconds(elapsed)}`, "cancelled");
    } else {
      setStatus(`Failed after ${seconds(elapsed)}`, "failed");
      showError("The server could not be reached, or sent an answer the page cannot read.", String(error));
    }
  }
}

function explainFailure(response, text, elapsed) {
  setStatus(`Failed after ${seconds(elapsed)} (HTTP ${response.status})`, "failed");
  const detail = text.trim();
  const position = response.status === 400 ? errorPosition(detail) : null;
  if (position) {
    const token = editor.markError(position.line, position.column, detail.split("\n")[0]);
    const headline = `Syntax error on line ${position.line}, at “${token}”.`;
    showError(headline, detail, syntaxHint(detail, token));
    return;
  }
  const headlines = {
    400: "The server refused the query.",
    401: "This needs credentials the page does not have.",
    403: "The server does not allow this.",
    406: "The server cannot answer in a format the page reads.",
    413: "The query is too large for the server.",
    429: "You have used your share of the server for now (queries at once, or query time per minute); try again in a moment.",
    503: "The server is busy or the query ran too long; try again, or narrow the query.",
  };
  showError(headlines[response.status] || `The server answered with HTTP ${response.status}.`, detail);
}

function cancel() {
  if (state.controller) state.controller.abort();
}

async function copyLink() {
  const url = shareUrl(editor.getQuery());
  history.replaceState(null, "", url);
  const button = $("copy-link");
  try {
    await navigator.clipboard.writeText(url);
    button.textContent = "Link copied";
  } catch {
    // No clipboard permission: the address bar holds the link.
    button.textContent = "Link in address bar";
  }
  setTimeout(() => { button.textContent = "Copy link"; }, 2000);
}

function buildExamplesMenu(examples) {
  const list = $("example-list");
  for (const example of examples) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.example = example.name;
    button.title = example.description;
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = example.title;
    button.append(title);
    if (example.needs) {
      const needs = document.createElement("span");
      needs.className = "needs";
      needs.textContent = `Needs: ${example.needs}`;
      button.append(needs);
    }
    button.addEventListener("click", () => {
      $("examples").open = false;
      state.example = example;
      state.chart = {};
      editor.setQuery(example.query);
      run();
      $("run").focus();  // the keyboard goes on from Run to the results, not back to the top
    });
    item.append(button);
    list.append(item);
  }
}

// The editor is there at once; the vocabulary and the examples fill in as they arrive.
let vocabulary = [];
const fromUrl = queryFromUrl();
const editor = createEditor($("editor"), {
  doc: fromUrl ?? config.defaultQuery,
  onRun: run,
  prefixes: config.prefixes,
  vocabulary: () => vocabulary,
  searchLabels,
});
const loaded = Promise.all([
  getJson(config.vocabularyUrl).then((answer) => { vocabulary = answer.terms; }).catch(() => {}),
  getJson(config.examplesUrl).then((answer) => buildExamplesMenu(answer.examples)).catch(() => {}),
]);
$("run").addEventListener("click", run);
$("cancel").addEventListener("click", cancel);
$("copy-link").addEventListener("click", copyLink);
$("tabs").addEventListener("keydown", onTabKey);
document.addEventListener("click", (event) => {
  // The examples menu closes when the reader clicks anywhere else.
  if (!$("examples").contains(event.target)) $("examples").open = false;
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.controller) cancel();
});
window.addEventListener("hashchange", () => {
  const query = queryFromUrl();
  if (query !== null && query !== editor.getQuery()) {
    editor.setQuery(query);
    run();
  }
});
const sharedView = viewFromUrl();
state.chart = sharedView.chart;
state.wantedView = sharedView.view;
if (fromUrl !== null) run();
else editor.view.focus();
// For the browser tests: the menu and the completions are complete from here on.
loaded.then(() => { document.body.dataset.ready = "true"; });
