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
      figure.appendChild(button);
    });
  }

  function enhance(root) {
    if (window.ThreadlineEditor) window.ThreadlineEditor.mountAll(root);
    addCopyButtons(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.detail.elt); });
})();
