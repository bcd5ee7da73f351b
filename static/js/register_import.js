// Progress bar of a register import: polls the JSON status endpoint and reloads the page when the
// background job (validation or apply) is done. A script file, since the CSP forbids inline code;
// setting element.style from here is allowed.
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box) {
    return;
  }
  var bar = box.querySelector("[data-progress]");
  var label = box.querySelector("[data-label]");
  var url = box.getAttribute("data-status-url");

  function show(progress, text) {
    bar.style.width = Math.max(0, Math.min(100, progress)) + "%";
    if (text) {
      label.textContent = text;
    }
  }

  show(parseInt(bar.getAttribute("data-progress") || "0", 10));

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          show(data.progress, data.status_display + " " + data.progress + "%");
          if (!data.in_progress) {
            window.location.reload();
            return;
          }
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 2000);
      });
  }

  window.setTimeout(poll, 500);
})();
