// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function $(sel, scope) { return (scope || document).querySelector(sel); }
  function $all(sel, scope) { return Array.prototype.slice.call((scope || document).querySelectorAll(sel)); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  // ---- Write access -------------------------------------------------------------------------
  // Writes send the token typed into a [data-write-token] field (remembered for this tab only) as a
  // bearer token; without one, the login session cookie goes along and the page's CSRF value is sent.
  var TOKEN_KEY = "folio-write-token";
  var Write = {
    token: function () {
      var field = $("[data-write-token]");
      var typed = field && field.value;
      if (typed) { try { sessionStorage.setItem(TOKEN_KEY, typed); } catch (e) { /* storage off */ } }
      try { return typed || sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return typed || ""; }
    },
    headers: function () {
      var t = Write.token();
      if (t) return { Authorization: "Bearer " + t };
      var csrf = $("meta[name=csrf-token]");
      return csrf && csrf.content ? { "X-CSRF-Token": csrf.content } : {};
    },
    prefill: function () {
      var saved = "";
      try { saved = sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { /* storage off */ }
      $all("[data-write-token]").forEach(function (field) {
        if (!field.value && saved) field.value = saved;
        if (field.form) field.form.addEventListener("submit", function () { Write.token(); });
      });
    },
    forget: function () { try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage off */ } }
  };
  Write.prefill();

  // ---- "/" focuses the search box ----------------------------------------------------------------
  document.addEventListener("keydown", function (e) {
    var box = $("#q");
    var target = e.target || {};
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName || "") || target.isContentEditable;
    if (e.key === "/" && box && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      box.focus();
      box.select();
    }
  });

  // ---- Filter boxes: <input data-filter="#list li"> hides non-matching items --------------------
  $all("[data-filter]").forEach(function (filter) {
    var items = $all(filter.getAttribute("data-filter"));
    var groups = $all(filter.getAttribute("data-filter-groups") || "[data-filter-group]");
    var status = filter.id ? $("#" + filter.id + "-status") : null;
    filter.addEventListener("input", function () {
      var needle = filter.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (item) {
        var hit = !needle || item.textContent.toLowerCase().indexOf(needle) !== -1;
        item.hidden = !hit;
        if (hit) shown += 1;
      });
      groups.forEach(function (group) {
        group.hidden = !$all("li", group).some(function (li) { return !li.hidden; });
      });
      if (status) status.textContent = needle ? shown + " shown" : "";
    });
  });

  // ---- Facet panel: folded on a phone, always open on a wide screen ------------------------------
  var filters = $("#filters");
  if (filters && window.matchMedia) {
    var narrow = window.matchMedia("(max-width: 760px)");
    var fit = function () { filters.open = !narrow.matches; };
    fit();
    if (narrow.addEventListener) narrow.addEventListener("change", fit);
  }

  // ---- Search page: sort switch applies at once, results follow the typing ----------------------
  function wireSortSwitch(scope) {
    var sort = $("#sort", scope);
    if (sort && sort.form) sort.addEventListener("change", function () { sort.form.submit(); });
  }
  wireSortSwitch(document);

  var results = $("#results[data-live-search]");
  var bar = $("#searchbar");
  if (results && bar && window.fetch && window.DOMParser) {
    var box = $("#q", bar);
    var timer = null;
    var pending = null;
    var lastQuery = box.value;
    var update = function () {
      if (box.value === lastQuery) return;
      lastQuery = box.value;
      var params = new URLSearchParams(new FormData(bar));
      var url = "/?" + params.toString();
      if (pending) pending.abort();
      pending = new AbortController();
      results.setAttribute("aria-busy", "true");
      fetch(url, { signal: pending.signal, headers: { Accept: "text/html" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("results");
          results.removeAttribute("aria-busy");
          if (!fresh) return;
          results.innerHTML = fresh.innerHTML;
          var announce = $("#live-status");
          var summary = $("#result-status", results);
          if (announce && summary) announce.textContent = summary.textContent;
          document.title = page.title;
          history.replaceState(null, "", url);
          wireSortSwitch(results);
          filters = $("#filters");
          if (filters && window.matchMedia) filters.open = !window.matchMedia("(max-width: 760px)").matches;
        })
        .catch(function (e) { if (e.name !== "AbortError") results.removeAttribute("aria-busy"); });
    };
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    });
  }

  // ---- Document page: open the edit form when asked for ------------------------------------------
  if (location.hash === "#edit") {
    var editor = $("#edit details");
    if (editor) editor.open = true;
  }

  // ---- Upload page: drop several files, one request and one progress bar each -------------------
  var form = $("#upload-form");
  if (form && window.FormData && window.XMLHttpRequest) {
    var zone = $("#dropzone");
    var input = $("#file");
    var list = $("#upload-list");
    var section = $("#uploads");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    var advice = {};
    $all("#upload-advice li").forEach(function (li) { advice[li.getAttribute("data-status")] = li.textContent; });

    var describe = function (status) { return advice[String(status)] || advice["0"] || ""; };

    var showFailure = function (item, message, status) {
      item.className = "upload-item failed";
      $(".state", item).textContent = "Not stored";
      item.appendChild(el("p", { "class": "error" }, message));
      item.appendChild(el("p", { "class": "advice" }, describe(status)));
    };

    var showRecord = function (item, doc, created) {
      item.className = "upload-item done";
      $(".state", item).textContent = created ? "Stored" : "Already in the archive";
      var dl = el("dl", { "class": "extracted" });
      var row = function (label, value, href) {
        dl.appendChild(el("dt", null, label));
        var dd = el("dd");
        if (href) dd.appendChild(el("a", { href: href }, value)); else dd.textContent = value || "—";
        dl.appendChild(dd);
      };
      row("Title", doc.title, "/documents/" + encodeURIComponent(doc.id));
      row("Authors", (doc.authors || []).join("; "));
      row("Published", doc.published);
      row("Publication", doc.publication);
      row("Language", doc.language);
      row("Words", String(doc.word_count));
      item.appendChild(dl);
      var p = el("p");
      p.appendChild(el("a", { href: "/documents/" + encodeURIComponent(doc.id) + "?edit#edit" }, "Edit metadata"));
      item.appendChild(p);
    };

    var send = function (file) {
      var item = el("li", { "class": "upload-item sending" });
      var name = el("p", { "class": "upload-name" }, file.name + " ");
      name.appendChild(el("span", { "class": "state" }, "Uploading…"));
      item.appendChild(name);
      var bar = el("progress", { max: "100", value: "0", "aria-label": "Upload of " + file.name });
      item.appendChild(bar);
      list.appendChild(item);
      section.hidden = false;
      if (maxBytes && file.size > maxBytes) {
        bar.remove();
        showFailure(item, "This file is larger than the limit of " + Math.round(maxBytes / 1048576) + " MB.", 413);
        return;
      }
      var body = new FormData();
      body.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/documents");
      var headers = Write.headers();
      Object.keys(headers).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round(e.loaded / e.total * 100);
      });
      xhr.addEventListener("load", function () {
        bar.value = 100;
        bar.remove();
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 200 || xhr.status === 201) {
          showRecord(item, data, xhr.status === 201);
        } else {
          if (xhr.status === 401) Write.forget();
          var message = data && data.error && data.error.message ? data.error.message
            : "The server refused the file (status " + xhr.status + ").";
          showFailure(item, message, xhr.status);
        }
      });
      xhr.addEventListener("error", function () {
        bar.remove();
        showFailure(item, "The connection to Folio was lost during the upload.", 0);
      });
      xhr.send(body);
    };

    var sendAll = function (files) { Array.prototype.forEach.call(files, send); };

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!input.files.length) {
        input.focus();
        input.setCustomValidity("Choose at least one file, or drop files on the box.");
        input.reportValidity();
        return;
      }
      sendAll(input.files);
      input.value = "";
    });
    input.addEventListener("change", function () { input.setCustomValidity(""); });
    input.required = false;
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) sendAll(e.dataTransfer.files);
    });
  }
})();
