/* Searchable pickers (portal/widgets.py): every <select data-autocomplete-url> becomes an ARIA
   combobox (WAI-ARIA 1.2 "list autocomplete") that asks the app's AutocompleteView for matches as
   the user types. The select stays in the form, hidden, and carries the value; without this script
   it is an ordinary select. Keys: ↓/↑ move, Enter picks, Esc closes, Backspace in an empty box
   removes the last tag of a multi-select. No inline script: the CSP allows only our own files. */
(function () {
  "use strict";
  var DELAY = 200;
  var serial = 0;

  function labelText(select) {
    var label = select.labels && select.labels[0];
    if (!label) return select.getAttribute("aria-label") || "";
    if (!label.contains(select)) return label.textContent.trim();
    var text = "";
    label.childNodes.forEach(function (node) { if (node.nodeType === 3) text += node.nodeValue; });
    return text.trim();
  }

  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  function enhance(select) {
    var multiple = select.multiple;
    var base = select.id || "autocomplete-" + (++serial);
    var listId = base + "-listbox";
    var box = el("div", "autocomplete" + (multiple ? " autocomplete-multiple" : ""));
    var tags = multiple ? el("ul", "autocomplete-tags", { "aria-label": "已选" }) : null;
    var input = el("input", "autocomplete-input", {
      type: "text", id: base + "-search", role: "combobox", autocomplete: "off",
      "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listId,
      "aria-label": labelText(select), placeholder: select.dataset.placeholder || ""
    });
    if (select.getAttribute("aria-describedby")) input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    var list = el("ul", "autocomplete-list", { id: listId, role: "listbox", "aria-label": labelText(select) });
    var status = el("span", "visually-hidden", { role: "status", "aria-live": "polite" });
    list.hidden = true;
    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function chosen() {
      return Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value !== ""; });
    }
    function showChosen() {
      if (!multiple) {
        var option = chosen()[0];
        input.value = option ? option.text : "";
        return;
      }
      tags.textContent = "";
      chosen().forEach(function (option) {
        var tag = el("li", "autocomplete-tag");
        tag.textContent = option.text;
        var remove = el("button", "link", { type: "button", "aria-label": "移除 " + option.text });
        remove.textContent = "×";
        remove.addEventListener("click", function () { option.selected = false; changed(); input.focus(); });
        tag.appendChild(remove);
        tags.appendChild(tag);
      });
    }
    function changed() {
      showChosen();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
    function render(rows) {
      results = rows;
      list.textContent = "";
      rows.forEach(function (row, i) {
        var item = el("li", "autocomplete-option", { role: "option", id: listId + "-" + i, "aria-selected": "false" });
        item.textContent = row.label;
        if (row.detail) {
          var detail = el("span", "autocomplete-detail");
          detail.textContent = row.detail;
          item.appendChild(detail);
        }
        item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
        list.appendChild(item);
      });
      if (!rows.length) {
        var none = el("li", "autocomplete-empty");
        none.textContent = "无匹配结果";
        list.appendChild(none);
      }
      status.textContent = rows.length ? "找到 " + rows.length + " 项，用上下方向键选择" : "无匹配结果";
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function search() {
      var ask = ++asked;
      var url = select.dataset.autocompleteUrl + "?q=" + encodeURIComponent(multiple ? input.value : input.value.trim());
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (ask === asked && document.activeElement === input) render(data.results); })
        .catch(function () { if (ask === asked) render([]); });
    }
    function pick(index) {
      var row = results[index];
      if (!row) return;
      var value = String(row.id);
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (!option) {
        option = new Option(row.label, value);
        select.appendChild(option);
      }
      if (!multiple) select.value = value;
      option.selected = true;
      if (multiple) input.value = "";
      close();
      changed();
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    // A click opens the list; a focus alone (Tab, or the error summary moving focus) does not, so
    // an open list never covers the field's error or the submit button without being asked for.
    input.addEventListener("click", function () { if (list.hidden && (multiple || !chosen().length)) search(); });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) { search(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && open) {
        // Enter in an open list picks; with nothing highlighted (or "无匹配结果") it does nothing,
        // never submits the form with what was typed silently dropped.
        event.preventDefault();
        if (active >= 0) pick(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
        if (!multiple) showChosen();
      } else if (event.key === "Backspace" && multiple && input.value === "" && chosen().length) {
        chosen().pop().selected = false;
        changed();
      }
    });
    input.addEventListener("blur", function () {
      close();
      if (!multiple) {
        if (input.value.trim() === "" && chosen().length) { select.value = ""; changed(); }
        else showChosen();
      }
    });
    select.addEventListener("change", showChosen);

    select.hidden = true;
    select.setAttribute("tabindex", "-1");
    Array.prototype.forEach.call(select.labels || [], function (label) { label.htmlFor = input.id; });
    if (tags) box.appendChild(tags);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);
    select.insertAdjacentElement("afterend", box);
    showChosen();
  }

  function start() {
    document.querySelectorAll("select[data-autocomplete-url]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
