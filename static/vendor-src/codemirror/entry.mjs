// Threadline editor bundle: CodeMirror 6 wrapped as window.ThreadlineEditor.
// Built into static/vendor/codemirror.min.js by ./build.sh (esbuild, IIFE).
//
//   ThreadlineEditor.create(textarea, {readOnly}) -> handle
//   ThreadlineEditor.mountAll(root = document)   -> [handle, ...]
//   ThreadlineEditor.get(textarea)               -> handle | undefined
//
// handle: getValue(), setValue(text), focus(), onChange(cb) -> unsubscribe,
//         destroy(), view (EditorView), textarea.
//
// Ctrl/Cmd-Enter dispatches a bubbling CustomEvent "threadline:run" on the
// textarea, Ctrl/Cmd-Shift-Enter dispatches "threadline:submit"; both carry
// detail = {value, editor}.

import { EditorState, Compartment, Prec } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLineGutter,
  highlightSpecialChars,
  drawSelection,
  dropCursor,
  rectangularSelection,
  crosshairCursor,
  highlightActiveLine,
  placeholder,
} from "@codemirror/view";
import {
  history,
  defaultKeymap,
  historyKeymap,
  indentWithTab,
} from "@codemirror/commands";
import {
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
  defaultHighlightStyle,
  bracketMatching,
  foldGutter,
  foldKeymap,
} from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { python } from "@codemirror/lang-python";
import { oneDark } from "@codemirror/theme-one-dark";

const SELECTOR = 'textarea[data-editor="python"]';
const MOUNTED_ATTR = "data-editor-mounted";
const EDITOR_CLASS = "threadline-editor";

// ---------------------------------------------------------------- theme ---

// Layout shared by both colour schemes: readable monospace, grows from
// ~12 lines to ~32 lines, then scrolls (read-only editors fit their content).
const layoutTheme = EditorView.baseTheme({
  "&": {
    fontSize: "14px",
    border: "1px solid",
    borderRadius: "6px",
    maxHeight: "calc(48em + 10px)", // 32 lines x 1.5em + padding + border
  },
  "&light": { borderColor: "#c8ccd1" },
  "&dark": { borderColor: "#3e4451" },
  "&.cm-focused": {
    outline: "2px solid #2f6fde",
    outlineOffset: "1px",
  },
  "&dark.cm-focused": { outlineColor: "#6ea3ff" },
  ".cm-scroller": {
    overflow: "auto",
    lineHeight: "1.5",
    fontFamily:
      'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
    borderRadius: "inherit",
  },
  ".cm-content, .cm-gutter": {
    minHeight: "calc(18em + 8px)", // 12 lines x 1.5em + content padding
  },
  // Read-only editors show code, so they just fit their content.
  "&.threadline-editor-readonly .cm-content, &.threadline-editor-readonly .cm-gutter":
    { minHeight: "0" },
  ".cm-gutters": { borderTopLeftRadius: "5px", borderBottomLeftRadius: "5px" },
});

// Light scheme: explicit white background so the editor reads as an input
// whatever the page background is; syntax colours come from the fallback
// defaultHighlightStyle.
const lightTheme = EditorView.theme(
  {
    "&": { backgroundColor: "#ffffff", color: "#1f2328" },
    ".cm-gutters": {
      backgroundColor: "#f6f8fa",
      color: "#6e7781",
      borderRight: "1px solid #d8dee4",
    },
    ".cm-activeLine": { backgroundColor: "#eaf2ff80" },
    ".cm-activeLineGutter": { backgroundColor: "#e4ebf5", color: "#1f2328" },
  },
  { dark: false }
);

const darkQuery =
  typeof window !== "undefined" && typeof window.matchMedia === "function"
    ? window.matchMedia("(prefers-color-scheme: dark)")
    : null;

function currentTheme() {
  return darkQuery && darkQuery.matches ? oneDark : lightTheme;
}

// One compartment shared by every editor; reconfigured live when the OS
// colour scheme changes.
const themeCompartment = new Compartment();
const liveViews = new Set();

function applyThemeToAll() {
  const theme = currentTheme();
  for (const view of liveViews) {
    if (!view.dom.isConnected) {
      // Removed from the page (e.g. by an htmx swap) without destroy().
      liveViews.delete(view);
      continue;
    }
    view.dispatch({ effects: themeCompartment.reconfigure(theme) });
  }
}

if (darkQuery) {
  if (typeof darkQuery.addEventListener === "function") {
    darkQuery.addEventListener("change", applyThemeToAll);
  } else if (typeof darkQuery.addListener === "function") {
    darkQuery.addListener(applyThemeToAll); // Safari < 14
  }
}

// --------------------------------------------------------------- helpers ---

function labelFor(textarea) {
  const aria = textarea.getAttribute("aria-label");
  if (aria && aria.trim()) return aria.trim();
  const labels = textarea.labels ? Array.from(textarea.labels) : [];
  const text = labels
    .map((l) => (l.textContent || "").replace(/\s+/g, " ").trim())
    .filter(Boolean)
    .join(" ");
  if (text) return text;
  const title = textarea.getAttribute("title");
  return title && title.trim() ? title.trim() : "Python code editor";
}

function contentAttributesFor(textarea, readOnly) {
  const attrs = {};
  const labelledBy = textarea.getAttribute("aria-labelledby");
  if (labelledBy && !textarea.hasAttribute("aria-label")) {
    attrs["aria-labelledby"] = labelledBy;
  } else {
    attrs["aria-label"] = labelFor(textarea);
  }
  const describedBy = textarea.getAttribute("aria-describedby");
  if (describedBy) attrs["aria-describedby"] = describedBy;
  if (readOnly) attrs["aria-readonly"] = "true";
  attrs.spellcheck = "false";
  attrs.autocorrect = "off";
  attrs.autocapitalize = "off";
  return attrs;
}

function keyEvent(textarea, name, getHandle) {
  return (view) => {
    textarea.dispatchEvent(
      new CustomEvent(name, {
        bubbles: true,
        cancelable: true,
        detail: { value: view.state.doc.toString(), editor: getHandle() },
      })
    );
    return true; // consume the key
  };
}

// ---------------------------------------------------------------- public ---

const handles = new WeakMap();

function create(textarea, options) {
  if (!textarea || textarea.tagName !== "TEXTAREA") {
    throw new TypeError("ThreadlineEditor.create expects a <textarea> element");
  }
  const existing = handles.get(textarea);
  if (existing) return existing;

  const opts = options || {};
  const readOnly =
    opts.readOnly === undefined ? textarea.readOnly : Boolean(opts.readOnly);
  const listeners = new Set();
  let handle = null;
  const getHandle = () => handle;

  const runKeys = Prec.highest(
    keymap.of([
      { key: "Mod-Enter", run: keyEvent(textarea, "threadline:run", getHandle) },
      { key: "Ctrl-Enter", run: keyEvent(textarea, "threadline:run", getHandle) },
      {
        key: "Mod-Shift-Enter",
        run: keyEvent(textarea, "threadline:submit", getHandle),
      },
      {
        key: "Ctrl-Shift-Enter",
        run: keyEvent(textarea, "threadline:submit", getHandle),
      },
    ])
  );

  const sync = EditorView.updateListener.of((update) => {
    if (!update.docChanged) return;
    const value = update.state.doc.toString();
    textarea.value = value;
    for (const cb of Array.from(listeners)) {
      try {
        cb(value, handle);
      } catch (err) {
        console.error("ThreadlineEditor onChange callback failed", err);
      }
    }
  });

  const extensions = [
    runKeys,
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    foldGutter(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    bracketMatching(),
    closeBrackets(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    keymap.of([
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...foldKeymap,
      indentWithTab,
    ]),
    indentUnit.of("    "),
    EditorState.tabSize.of(4),
    python(),
    // Long lines wrap rather than hide past the edge of a narrow editor column.
    EditorView.lineWrapping,
    layoutTheme,
    themeCompartment.of(currentTheme()),
    EditorView.contentAttributes.of(contentAttributesFor(textarea, readOnly)),
    EditorView.editorAttributes.of({ class: EDITOR_CLASS }),
    sync,
  ];
  if (readOnly) {
    extensions.push(
      EditorState.readOnly.of(true),
      EditorView.editorAttributes.of({ class: "threadline-editor-readonly" })
    );
  }
  const ph = textarea.getAttribute("placeholder");
  if (ph) extensions.push(placeholder(ph));

  const view = new EditorView({
    state: EditorState.create({ doc: textarea.value, extensions }),
  });

  const previousDisplay = textarea.style.display;
  textarea.style.display = "none";
  textarea.insertAdjacentElement("afterend", view.dom);
  liveViews.add(view);

  // Clicking a <label for=...> of the hidden textarea focuses the editor.
  const onLabelClick = (event) => {
    event.preventDefault();
    view.focus();
  };
  const labels = textarea.labels ? Array.from(textarea.labels) : [];
  labels.forEach((l) => l.addEventListener("click", onLabelClick));

  // Form validation (e.g. `required`) on the hidden textarea: bring the
  // user to the editor instead.
  const onInvalid = () => view.focus();
  textarea.addEventListener("invalid", onInvalid);

  // <form>.reset() restores the textarea's default value; mirror it.
  const form = textarea.form;
  const onReset = () => {
    setTimeout(() => {
      if (handles.get(textarea) === handle) handle.setValue(textarea.value);
    }, 0);
  };
  if (form) form.addEventListener("reset", onReset);

  handle = {
    view,
    textarea,
    getValue() {
      return view.state.doc.toString();
    },
    setValue(text) {
      const value = text == null ? "" : String(text);
      if (value === view.state.doc.toString()) {
        textarea.value = value;
        return;
      }
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: value },
      });
    },
    focus() {
      view.focus();
    },
    onChange(callback) {
      if (typeof callback !== "function") {
        throw new TypeError("onChange expects a function");
      }
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    destroy() {
      if (handles.get(textarea) !== handle) return;
      textarea.value = view.state.doc.toString();
      labels.forEach((l) => l.removeEventListener("click", onLabelClick));
      textarea.removeEventListener("invalid", onInvalid);
      if (form) form.removeEventListener("reset", onReset);
      liveViews.delete(view);
      listeners.clear();
      view.destroy();
      view.dom.remove();
      textarea.style.display = previousDisplay;
      textarea.removeAttribute(MOUNTED_ATTR);
      handles.delete(textarea);
    },
  };

  handles.set(textarea, handle);
  textarea.setAttribute(MOUNTED_ATTR, "");
  return handle;
}

function mountAll(root) {
  const scope = root || document;
  const found = [];
  if (scope.matches && scope.matches(SELECTOR)) found.push(scope);
  if (scope.querySelectorAll) found.push(...scope.querySelectorAll(SELECTOR));
  const created = [];
  for (const textarea of found) {
    if (handles.has(textarea)) continue;
    if (textarea.hasAttribute(MOUNTED_ATTR)) {
      // Marked as mounted but unknown to us: a DOM copy of a mounted editor
      // (e.g. restored from htmx's history cache). Drop the dead editor DOM
      // left next to it and mount afresh.
      const next = textarea.nextElementSibling;
      if (next && next.classList.contains(EDITOR_CLASS)) next.remove();
      if (textarea.style.display === "none") textarea.style.display = "";
      textarea.removeAttribute(MOUNTED_ATTR);
    }
    try {
      created.push(
        create(textarea, { readOnly: textarea.hasAttribute("readonly") })
      );
    } catch (err) {
      console.error("ThreadlineEditor: could not mount editor", textarea, err);
    }
  }
  return created;
}

function get(textarea) {
  return handles.get(textarea);
}

window.ThreadlineEditor = { create, mountAll, get };
