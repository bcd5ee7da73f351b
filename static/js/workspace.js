// Workspace forms (templates/portal/form.html): after a refused submit, focus the first field in
// error (or its combobox, when autocomplete.js enhanced the select); the error summary's links
// move the focus to their field. No inline script: the CSP allows only the portal's own files.
(function () {
  "use strict";

  function focusable(name) {
    var field = document.getElementById("field-" + name);
    if (!field) return null;
    return field.querySelector("[role=combobox]") ||
      field.querySelector("input:not([type=hidden]), select, textarea");
  }

  function start() {
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-field]");
      if (!link) return;
      var target = focusable(link.getAttribute("data-field"));
      if (target) {
        event.preventDefault();
        target.focus();
      }
    });
    var first = summary.querySelector("a[data-field]");
    var target = first ? focusable(first.getAttribute("data-field")) : null;
    (target || summary).focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
