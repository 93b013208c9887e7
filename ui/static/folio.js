// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    var box = document.getElementById("q");
    var tag = (e.target && e.target.tagName) || "";
    if (e.key === "/" && box && !/^(INPUT|TEXTAREA|SELECT)$/.test(tag)) {
      e.preventDefault();
      box.focus();
      box.select();
    }
  });
  var filter = document.querySelector("[data-filter]");
  if (filter) {
    var items = document.querySelectorAll(filter.getAttribute("data-filter"));
    filter.addEventListener("input", function () {
      var needle = filter.value.toLowerCase();
      items.forEach(function (li) {
        li.hidden = needle && li.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
  }
  var sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", function () { sort.form.submit(); });
  }
})();
