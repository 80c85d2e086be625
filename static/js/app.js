// Threadline's page behaviour: keyboard shortcuts, code editors, copy buttons.
// Everything here is an enhancement: each page works without JavaScript.
(function () {
  "use strict";

  // Single-key shortcuts, listed on /shortcuts and defined in app/web/shortcuts.py, which the
  // page hands over as JSON: each clicks the first element matching its selector. Ignored
  // while typing or with a modifier held.
  var mapElement = document.getElementById("shortcut-map");
  var SHORTCUTS = mapElement ? JSON.parse(mapElement.textContent) : {};

  function typing(target) {
    if (!target || !(target instanceof Element)) return false;
    return target.closest("input, textarea, select, [contenteditable], .cm-editor") !== null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event.target)) return;
    var selector = SHORTCUTS[event.key];
    if (!selector) return;
    var element = document.querySelector(selector);
    if (!element) return;
    event.preventDefault();
    element.focus();
    element.click();
  });

  function addCopyButtons(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("figure.code-block:not([data-copy])").forEach(function (figure) {
      figure.setAttribute("data-copy", "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy this code");
      button.addEventListener("click", function () {
        var code = figure.querySelector("code");
        navigator.clipboard.writeText(code ? code.innerText : "").then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        });
      });
      var caption = figure.querySelector("figcaption");
      (caption || figure).appendChild(button);
    });
  }

  // Runnable examples in a lesson get a Run button and an interpreter picker; results appear
  // under the example. The server knows each example by its position, never takes its code.
  function addRunButtons(root) {
    var article = root.querySelector ? root.querySelector("article[data-examples-url]") : null;
    if (!article || !window.htmx) return;
    var interpreters = JSON.parse(article.getAttribute("data-interpreters"));
    var options = interpreters.map(function (id) {
      return '<option value="' + id + '">' + id + "</option>";
    }).join("");
    if (interpreters.length > 1) options += '<option value="both">all, to compare</option>';
    article.querySelectorAll("figure.code-block[data-runnable]").forEach(function (figure, n) {
      if (figure.querySelector("form")) return;
      var form = document.createElement("form");
      form.className = "example-run";
      form.setAttribute("hx-post", article.getAttribute("data-examples-url") + n + "/runs");
      form.setAttribute("hx-target", "#example-results-" + n);
      form.innerHTML = '<label class="visually-hidden" for="example-interpreter-' + n +
        '">Interpreter</label><select id="example-interpreter-' + n + '" name="interpreter">' +
        options + '</select><button type="submit" class="small-button">Run</button>';
      var results = document.createElement("div");
      results.id = "example-results-" + n;
      results.className = "example-results";
      results.setAttribute("aria-live", "polite");
      figure.querySelector("figcaption").appendChild(form);
      figure.after(results);
      window.htmx.process(form);
    });
  }

  // Ctrl+Enter and Ctrl+Shift+Enter in the editor press Run and Submit.
  function bindEditorKeys(root) {
    root.querySelectorAll("form[data-run-form]:not([data-keys])").forEach(function (form) {
      form.setAttribute("data-keys", "");
      form.addEventListener("threadline:run", function () {
        form.querySelector('button[data-action="run"]').click();
      });
      form.addEventListener("threadline:submit", function () {
        form.querySelector('button[data-action="submit"]').click();
      });
    });
  }

  function enhance(root) {
    if (window.ThreadlineEditor) window.ThreadlineEditor.mountAll(root);
    addCopyButtons(root);
    addRunButtons(root);
    bindEditorKeys(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.detail.elt); });
})();
