// Live search for the product and market pickers (/exporter/apply, /exporter).
// The form works without this script: its "find" button posts the form back
// and the page lists the matches. With it, matches appear as one types and a
// click adds a chip. No inline code: the page's CSP is script-src 'self'.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function makeChip(field, code, name) {
    var label = el("label", "chip");
    var box = el("input");
    box.type = "checkbox";
    box.name = field;
    box.value = code;
    box.checked = true;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(el("span", "chip-code", code));
    label.appendChild(document.createTextNode(" " + name));
    return label;
  }

  function setUp(fieldset) {
    var input = fieldset.querySelector(".picker-query");
    var list = fieldset.querySelector(".picker-results");
    var chips = fieldset.querySelector(".chips");
    var field = fieldset.getAttribute("data-field");
    var source = fieldset.getAttribute("data-source");
    var lang = (document.documentElement.lang || "en").indexOf("zh") === 0 ? "zh" : "en";
    var timer = null;
    var asked = 0;
    if (!input || !list || !chips) { return; }

    function chosen() {
      var out = {};
      chips.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (box.checked) { out[box.value] = true; }
      });
      return out;
    }

    function add(code, name) {
      var none = chips.querySelector(".chips-none");
      if (none) { none.remove(); }
      if (!chosen()[code]) {
        if (code === "*") {
          // "All markets" replaces every single market.
          chips.querySelectorAll("label.chip").forEach(function (chip) { chip.remove(); });
        }
        chips.appendChild(makeChip(field, code, name));
      }
    }

    function show(results) {
      var have = chosen();
      list.textContent = "";
      results.forEach(function (r) {
        if (have[r.code]) { return; }
        var item = el("li");
        var button = el("button", "picker-add");
        button.type = "button";
        button.setAttribute("data-code", r.code);
        button.appendChild(el("span", "chip-code", r.code));
        button.appendChild(document.createTextNode(" " + r.name));
        button.addEventListener("click", function () {
          add(r.code, r.name);
          item.remove();
          input.focus();
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      if (!list.children.length) {
        list.appendChild(el("li", "none", list.getAttribute("data-none")));
      }
    }

    function search() {
      var q = input.value.trim();
      var mine = ++asked;
      if (!q) { list.textContent = ""; return; }
      fetch(source + "?q=" + encodeURIComponent(q) + "&lang=" + lang, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { if (mine === asked) { show(data.results || []); } })
        .catch(function () { /* the find button still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // search here instead of posting the whole form
        clearTimeout(timer);
        search();
      }
    });
    chips.addEventListener("change", function (event) {
      var box = event.target;
      if (box && box.type === "checkbox" && !box.checked && box.parentNode) {
        box.parentNode.remove();
      }
    });
    fieldset.classList.add("picker-live");
  }

  document.querySelectorAll("fieldset.picker").forEach(setUp);
})();
