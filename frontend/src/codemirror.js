// The parts of CodeMirror 6 the query page uses, re-exported from one module so
// that build.mjs bundles them into one file (static/query/vendor/codemirror.js)
// and the page's own code (static/query/*.js) stays readable, unbundled source.
export {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder,
} from "@codemirror/view";
export { EditorState, EditorSelection } from "@codemirror/state";
export {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, HighlightStyle,
  bracketMatching, indentOnInput,
} from "@codemirror/language";
export { sparql } from "@codemirror/legacy-modes/mode/sparql";
export {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap, startCompletion,
} from "@codemirror/autocomplete";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { setDiagnostics, lintGutter } from "@codemirror/lint";
export { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
export { tags } from "@lezer/highlight";
