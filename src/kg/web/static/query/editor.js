// The SPARQL editor: CodeMirror 6 with the SPARQL mode, Ctrl+Enter to run,
// completion of prefixes, of the graph's classes and properties and of entities
// by any of their labels, and a marker for the position of a syntax error.
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder, EditorState, StreamLanguage, syntaxHighlighting,
  HighlightStyle, bracketMatching, indentOnInput, sparql, autocompletion,
  completionKeymap, closeBrackets, closeBracketsKeymap, defaultKeymap, history,
  historyKeymap, setDiagnostics, lintGutter, searchKeymap,
  highlightSelectionMatches, tags,
} from "./vendor/codemirror.js";

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "#7a1fa2", fontWeight: "600" },
  { tag: tags.local(tags.variableName), color: "#00796b" },
  { tag: tags.atom, color: "#1a4fa0" },
  { tag: tags.string, color: "#a31515" },
  { tag: tags.comment, color: "#6a737d", fontStyle: "italic" },
  { tag: tags.meta, color: "#b35900" },
  { tag: tags.standard(tags.variableName), color: "#795e26" },
  { tag: tags.operator, color: "#555" },
]);

/** The prefixed name or bare word being typed just before the cursor. */
const TERM_BEFORE = /[A-Za-z][\w.-]*:[\w.-]*$|[A-Za-z][\w-]*$/;

/**
 * Builds the completion source.
 * @param {object} ctx prefixes {name: namespace}; vocabulary() -> [{iri, kind, label, comment}]
 *   (empty until it has loaded); searchLabels(text) -> Promise<[{iri, qname, label, matched, type}]>
 */
function completionSource({ prefixes, vocabulary, searchLabels }) {
  const namespaces = Object.entries(prefixes);
  let grouped = null;
  /** Vocabulary terms grouped under the prefix that abbreviates them, once loaded. */
  const termsByPrefix = () => {
    if (grouped) return grouped;
    const terms = vocabulary();
    const groups = {};
    for (const term of terms) {
      const found = namespaces.find(([, ns]) => term.iri.startsWith(ns));
      if (!found) continue;
      const local = term.iri.slice(found[1].length);
      (groups[found[0]] ||= []).push({
        label: local,
        type: term.kind === "class" ? "class" : "property",
        detail: term.label && term.label !== local ? term.label : term.kind,
        info: term.comment || undefined,
      });
    }
    if (terms.length) grouped = groups;
    return groups;
  };
  const entityOption = (hit) => ({
    label: hit.qname,
    displayLabel: hit.qname,
    detail: hit.matched === hit.label ? hit.label : `${hit.matched} (${hit.label})`,
    type: "variable",
    info: hit.type ? `a ${hit.type}` : undefined,
  });

  return async (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    if (/#/.test(before.replace(/<[^>]*>|"[^"]*"|'[^']*'/g, ""))) return null; // in a comment
    const declaring = /^\s*PREFIX\s+([\w-]*)$/i.exec(before);
    if (declaring) {
      return {
        from: context.pos - declaring[1].length,
        options: namespaces.map(([name, ns]) => ({
          label: `${name}: <${ns}>`, type: "namespace", detail: "declare",
        })),
      };
    }
    const match = TERM_BEFORE.exec(before);
    if (!match) return context.explicit ? { from: context.pos, options: [] } : null;
    const word = match[0];
    const from = context.pos - word.length;
    const colon = word.indexOf(":");
    if (colon >= 0) {
      const prefix = word.slice(0, colon);
      const local = word.slice(colon + 1);
      const localFrom = from + colon + 1;
      if (prefix === "kgr") {
        if (!local && !context.explicit) return null;
        const hits = await searchLabels(local, context);
        if (context.aborted) return null;
        return {
          from,
          options: hits.map(entityOption),
          filter: false, // the server matched labels, accents and all
        };
      }
      const terms = termsByPrefix()[prefix];
      return terms ? { from: localFrom, options: terms, validFor: /^[\w.-]*$/ } : null;
    }
    // A bare word: a prefix being typed, or (on Ctrl+Space) an entity by its label.
    const options = namespaces
      .filter(([name]) => name.startsWith(word))
      .map(([name, ns]) => ({ label: `${name}:`, type: "namespace", detail: ns, boost: 1 }));
    if (context.explicit || word.length >= 3) {
      const hits = await searchLabels(word, context);
      if (context.aborted) return null;
      options.push(...hits.map(entityOption));
    }
    return options.length ? { from, options, filter: false } : null;
  };
}

/**
 * The token to mark for a parser's error position (1-based line and column).
 * Oxigraph reports the furthest point it read, which is often just past the token at
 * fault ("foo:bar" with an unknown prefix, a missing "}" at the end): when the
 * position is on white space or past the end, the token before it is marked.
 */
export function errorRange(doc, lineNumber, column) {
  const text = doc.toString();
  const line = doc.line(Math.min(Math.max(lineNumber, 1), doc.lines));
  let pos = Math.min(line.from + Math.max(column - 1, 0), line.to);
  const isWord = (ch) => ch !== undefined && /\S/.test(ch);
  if (!isWord(text[pos])) {
    let back = pos;
    while (back > 0 && !isWord(text[back - 1])) back--;
    if (back === 0) return { from: 0, to: Math.min(1, text.length) };
    pos = back - 1;
  }
  const separator = /[\s{}();,.]/;
  let from = pos;
  let to = pos + 1;
  if (!separator.test(text[pos])) {
    while (from > 0 && !separator.test(text[from - 1])) from--;
    while (to < text.length && !separator.test(text[to])) to++;
  }
  return { from, to };
}

/**
 * Creates the editor in `parent`.
 * Returns {view, getQuery(), setQuery(text), markError(line, column, message) -> marked text,
 * clearError()}.
 */
export function createEditor(parent, { doc, onRun, prefixes, vocabulary, searchLabels }) {
  const runKeys = keymap.of([
    { key: "Mod-Enter", run: () => { onRun(); return true; } },
  ]);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        runKeys,
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        lintGutter(),
        StreamLanguage.define(sparql),
        syntaxHighlighting(highlight),
        autocompletion({ override: [completionSource({ prefixes, vocabulary, searchLabels })] }),
        placeholder("SELECT … WHERE { … }   (Ctrl+Enter runs, Ctrl+Space completes)"),
        // No indentWithTab: Tab must leave the editor for the Run button and the results
        // (WCAG 2.1.2, no keyboard trap); Ctrl+] and Ctrl+[ indent (defaultKeymap).
        keymap.of([
          ...completionKeymap, ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap,
          ...historyKeymap,
        ]),
        EditorView.contentAttributes.of({ "aria-label": "SPARQL query" }),
        // Long lines wrap: on a phone the editor never scrolls sideways.
        EditorView.lineWrapping,
      ],
    }),
  });

  return {
    view,
    getQuery: () => view.state.doc.toString(),
    setQuery(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      view.dispatch(setDiagnostics(view.state, []));
    },
    /** Marks the token at a 1-based line and column (as the server reports them). */
    markError(lineNumber, column, message) {
      const { from, to } = errorRange(view.state.doc, lineNumber, column);
      view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message }]));
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
      return view.state.doc.sliceString(from, to);
    },
    clearError() {
      view.dispatch(setDiagnostics(view.state, []));
    },
  };
}
