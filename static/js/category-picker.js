/* The merchant's category picker: a search field over the shared taxonomy in the merchant's
   language, filling the category's taxonomy ID. The server finds the matches
   (merchant:category-search); without this script the ID is typed as a number. A static file of
   its own: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  function setUp(idField) {
    var picker = idField.closest(".category-picker");
    var template = picker.querySelector("template[data-category-search-template]");
    if (!template) return;
    picker.insertBefore(template.content.cloneNode(true), idField);
    var search = picker.querySelector(".category-search");
    var list = picker.querySelector(".category-matches");
    var none = picker.querySelector(".category-none");
    var path = picker.querySelector("[data-category-path]");
    var url = picker.dataset.searchUrl;
    var timer = null, asked = 0, active = -1;

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(option) {
      idField.value = option.dataset.id;
      path.textContent = option.dataset.path;
      search.value = option.dataset.name;
      close();
      idField.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function highlight(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, position) { option.setAttribute("aria-selected", position === active ? "true" : "false"); });
      search.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({block: "nearest"});
    }

    function show(results) {
      list.textContent = "";
      results.forEach(function (match, position) {
        var option = document.createElement("li");
        option.setAttribute("role", "option");
        option.id = search.id + "-" + position;
        option.dataset.id = match.id;
        option.dataset.path = match.path;
        option.dataset.name = match.name;
        var name = document.createElement("span");
        name.className = "match-name";
        name.textContent = match.name;
        var where = document.createElement("span");
        where.className = "match-path";
        where.textContent = match.path + " · " + match.id;
        option.appendChild(name);
        option.appendChild(where);
        list.appendChild(option);
      });
      none.hidden = results.length > 0;
      list.hidden = results.length === 0;
      search.setAttribute("aria-expanded", results.length ? "true" : "false");
      active = -1;
    }

    function ask() {
      var query = search.value.trim();
      if (!query) { close(); none.hidden = true; return; }
      var number = ++asked;
      fetch(url + "?q=" + encodeURIComponent(query), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (data) { if (number === asked) show(data.results || []); });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden) ask(); else highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" && !list.hidden && active >= 0) { event.preventDefault(); choose(options()[active]); }
      else if (event.key === "Escape") { close(); }
    });
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { event.preventDefault(); choose(option); }
    });
    search.addEventListener("blur", function () { setTimeout(close, 100); });
    idField.addEventListener("input", function () { path.textContent = ""; });
  }

  function start() { document.querySelectorAll("[data-category-picker]").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
