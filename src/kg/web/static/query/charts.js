// Two hand-drawn SVG charts, offered only when the result suits them:
// a timeline when rows carry dates, a bar chart when rows carry a label and a number
// (two numbers, such as ?min and ?max, draw a range: the article's figures are ranges).
import { isDate, isNumber } from "./results.js";

const SVG = "http://www.w3.org/2000/svg";
const MAX_ITEMS = 150;
const ROW = 24;
const LABEL_WIDTH = 300;
const WIDTH = 960;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A row's name: the first one or two columns that are neither dates nor numbers. */
function rowName(row, vars, terms) {
  const parts = [];
  for (const v of vars) {
    const term = row[v];
    if (!term || isDate(term) || isNumber(term) || parts.length === 2) continue;
    if (term.type === "uri") parts.push(terms.label(term.value) || terms.qname(term.value));
    else parts.push(term.value);
  }
  return parts.join(" · ");
}

/** Longest name that fits beside a chart at 12px; the full name is in the tooltip. */
const NAME_CHARS = 44;
const fit = (name) => (name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1)}…` : name);

function columns(results, test) {
  if (!results.head || !results.results) return [];
  return results.head.vars.filter((v) => results.results.bindings.some((row) => test(row[v])));
}

/** A date literal as [first day, day after its last day] in ms, keeping its precision. */
function dateSpan(term) {
  const [year, month, day] = term.value.split(/[-T]/).map(Number);
  if (term.datatype.endsWith("gYear")) return [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1)];
  if (term.datatype.endsWith("gYearMonth")) return [Date.UTC(year, month - 1, 1), Date.UTC(year, month, 1)];
  return [Date.UTC(year, month - 1, day), Date.UTC(year, month - 1, day + 1)];
}

export function hasTimeline(results) {
  return columns(results, isDate).length > 0;
}

export function hasBars(results) {
  if (columns(results, isNumber).length === 0) return false;
  const vars = results.head.vars;
  return results.results.bindings.some((row) => vars.some((v) => row[v] && !isNumber(row[v]) && !isDate(row[v])));
}

function frame(rows, caption) {
  const height = rows * ROW + 40;
  const root = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`, width: "100%", role: "img", class: "chart",
    "aria-label": caption,
  });
  root.append(svg("title", {}, caption));
  return root;
}

/** Rows with dates on a time axis: a dot for a day, a bar for a month, a year or a start–end span. */
export function renderTimeline(results, terms) {
  const dateVars = columns(results, isDate);
  const seen = new Set();
  const items = [];
  for (const row of results.results.bindings) {
    // Only the cells that are dates: a date column may also hold IRIs or plain text.
    const dates = dateVars.map((v) => row[v]).filter(isDate);
    if (!dates.length) continue;
    const name = rowName(row, results.head.vars, terms) || dates.map((d) => d.value).join(" – ");
    const start = dateSpan(dates[0]);
    const end = dates.length > 1 ? dateSpan(dates[dates.length - 1]) : start;
    const key = `${name}|${start[0]}|${end[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({ name, from: start[0], to: end[1], point: dates.length === 1 && dates[0].datatype.endsWith("#date"),
      text: dates.map((d) => d.value).join(" – ") });
  }
  items.sort((a, b) => a.from - b.from || a.to - b.to);
  items.splice(MAX_ITEMS);
  const root = frame(items.length, "Timeline of the dated rows");
  const min = Math.min(...items.map((i) => i.from));
  const max = Math.max(...items.map((i) => i.to));
  const plot = WIDTH - LABEL_WIDTH - 20;
  const x = (t) => LABEL_WIDTH + ((t - min) / Math.max(max - min, 1)) * plot;
  // One tick a year, or a month when everything falls within two years.
  const firstYear = new Date(min).getUTCFullYear();
  const lastYear = new Date(max).getUTCFullYear();
  const ticks = [];
  if (lastYear - firstYear >= 2) {
    for (let y = firstYear; y <= lastYear + 1; y++) ticks.push([Date.UTC(y, 0, 1), String(y)]);
  } else {
    const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    for (let m = 0; m <= (lastYear - firstYear + 1) * 12; m++) {
      const t = Date.UTC(firstYear, m, 1);
      ticks.push([t, m % 12 === 0 ? `${names[0]} ${firstYear + m / 12}` : names[m % 12]]);
    }
  }
  const bottom = items.length * ROW + 10;
  for (const [t, label] of ticks.filter(([t]) => t >= min && t <= max)) {
    root.append(svg("line", { x1: x(t), x2: x(t), y1: 0, y2: bottom, class: "tick" }));
    root.append(svg("text", { x: x(t), y: bottom + 16, class: "axis", "text-anchor": "middle" }, label));
  }
  items.forEach((item, i) => {
    const y = i * ROW + ROW / 2 + 4;
    const g = svg("g", { class: "item" });
    g.append(svg("title", {}, `${item.name}: ${item.text}`));
    g.append(svg("text", { x: LABEL_WIDTH - 8, y: y + 4, "text-anchor": "end", class: "name" }, fit(item.name)));
    if (item.point) {
      g.append(svg("circle", { cx: x(item.from), cy: y, r: 5, class: "mark" }));
    } else {
      g.append(svg("rect", { x: x(item.from), y: y - 6, height: 12, rx: 3, class: "mark",
        width: Math.max(x(item.to) - x(item.from), 4) }));
    }
    // The date in words beside its mark, on the side with room for it.
    const right = x(item.to) < WIDTH - 120;
    g.append(svg("text", { x: right ? Math.max(x(item.to), x(item.from) + 6) + 6 : x(item.from) - 8, y: y + 4,
      "text-anchor": right ? "start" : "end", class: "date" }, item.text));
    root.append(g);
  });
  return root;
}

/** The two numeric columns that bound a range (?min/?max by name, else the first two). */
export function rangeColumns(numVars) {
  const low = numVars.find((v) => /^(min|low|from|least)/i.test(v));
  const high = numVars.find((v) => /^(max|high|to|most)/i.test(v));
  if (low && high) return [low, high];
  return [numVars[0], numVars[1]];
}

/** The columns a bar chart may take its values from, and its row names from. */
export function barColumns(results) {
  const numbers = columns(results, isNumber);
  const names = results.head.vars.filter((v) => !numbers.includes(v)
    && results.results.bindings.some((row) => row[v] && !isDate(row[v])));
  return { numbers, names };
}

const format = (v) => v.toLocaleString("en-GB");

/** "3,000–7,000", "up to 20,000" (no minimum), "33+" (no maximum) or "4,959". */
function rangeText({ low, high }) {
  if (low === null) return `up to ${format(high)}`;
  if (high === null) return `${format(low)}+`;
  return low === high ? format(low) : `${format(low)}–${format(high)}`;
}

/** A round step (1, 2 or 5 times a power of ten) for about five ticks up to ``top``. */
export function tickStep(top) {
  const raw = Math.max(top, 1) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

/**
 * Rows with a label and a number as horizontal bars on an axis with ticks; with two
 * numbers, a min–max range, solid over its certain part and lighter where the figure is
 * only a bound. Linear unless ``log`` is asked for (then a tick at each power of ten).
 * ``nameVar``, ``lowVar``, ``highVar`` choose the columns (defaults: the first name
 * columns, ?min/?max or the first two numbers).
 */
export function renderBars(results, terms, { log = false, nameVar, lowVar, highVar } = {}) {
  const numVars = columns(results, isNumber);
  const [defaultLow, defaultHigh] = rangeColumns(numVars);
  lowVar = lowVar || defaultLow;
  highVar = highVar === undefined ? defaultHigh : highVar || null;
  const value = (row, v) => (v && row[v] && isNumber(row[v]) ? Number(row[v].value) : null);
  const nameOf = (row) => {
    if (!nameVar) return rowName(row, results.head.vars, terms);
    const term = row[nameVar];
    if (!term) return "";
    return term.type === "uri" ? terms.label(term.value) || terms.qname(term.value) : term.value;
  };
  const items = [];
  for (const row of results.results.bindings) {
    const low = value(row, lowVar);
    const high = highVar ? value(row, highVar) : low;
    if (low === null && high === null) continue;
    items.push({ name: nameOf(row), low, high });
  }
  items.splice(MAX_ITEMS);
  const numbers = items.flatMap((i) => [i.low, i.high]).filter((v) => v !== null);
  const positive = numbers.filter((v) => v > 0);
  log = log && positive.length > 0;
  const caption = `${highVar ? `?${lowVar} to ?${highVar}` : `?${lowVar}`}` +
    (log ? ", logarithmic scale" : ", linear scale");
  const root = frame(items.length + 1, `Bar chart of ${caption}`);
  const plot = WIDTH - LABEL_WIDTH - 130;
  const floor = log ? Math.floor(Math.log10(Math.min(...positive))) : 0;
  const ceiling = log ? Math.ceil(Math.log10(Math.max(...positive, 1))) : 0;
  const step = tickStep(Math.max(...numbers, 1));
  const top = log ? 10 ** ceiling : step * Math.ceil(Math.max(...numbers, 1) / step);
  const zero = log ? 10 ** floor : 0;
  const x = (v) => {
    if (!log) return LABEL_WIDTH + (Math.max(v, 0) / top) * plot;
    const span = ceiling - floor || 1;
    return LABEL_WIDTH + (v > 0 ? Math.max(Math.log10(v) - floor, 0) / span : 0) * plot;
  };
  const bottom = items.length * ROW + 6;
  const ticks = log
    ? Array.from({ length: ceiling - floor + 1 }, (_, k) => 10 ** (floor + k))
    : Array.from({ length: Math.round(top / step) + 1 }, (_, k) => k * step);
  for (const tick of ticks) {
    root.append(svg("line", { x1: x(tick), x2: x(tick), y1: 2, y2: bottom, class: "tick" }));
    root.append(svg("text", { x: x(tick), y: bottom + 14, "text-anchor": "middle", class: "axis tick-label" },
      format(tick)));
  }
  items.forEach((item, i) => {
    const y = i * ROW + 6;
    const g = svg("g", { class: "item" });
    const text = rangeText(item);
    g.append(svg("title", {}, `${item.name}: ${text}`));
    g.append(svg("text", { x: LABEL_WIDTH - 8, y: y + 12, "text-anchor": "end", class: "name" }, fit(item.name)));
    const certain = item.low ?? zero; // at least this much
    const upper = item.high ?? item.low;
    g.append(svg("rect", { x: x(zero), y, height: 16, width: Math.max(x(certain) - x(zero), 0), class: "bar" }));
    if (upper > certain || item.low === null) {
      g.append(svg("rect", { x: x(certain), y, height: 16, width: Math.max(x(upper) - x(certain), 2), class: "bar range" }));
    }
    g.append(svg("text", { x: x(upper) + 6, y: y + 12, class: "value" }, text));
    root.append(g);
  });
  const legend = highVar ? `dark: at least ?${lowVar}; light: up to ?${highVar}` : "";
  root.append(svg("text", { x: WIDTH - 10, y: bottom + 30, "text-anchor": "end", class: "axis" },
    [legend, log ? "logarithmic scale" : "linear scale"].filter(Boolean).join(" · ")));
  return root;
}
