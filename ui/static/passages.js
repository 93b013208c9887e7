// Document page: the "Find where a passage appears" link carries the text selected in the article,
// so selecting a paragraph and following the link searches the archive for it.
(function () {
  "use strict";
  var link = document.getElementById("find-passage");
  var article = document.querySelector("article .text");
  if (!link || !article) return;
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    if (!article.contains(selection.getRangeAt(0).commonAncestorContainer)) return;
    var chosen = selection.toString().replace(/\s+/g, " ").trim();
    if (chosen.split(" ").length < 5) return;
    link.href = "/passages?text=" + encodeURIComponent(chosen.slice(0, 20000));
    link.textContent = "Find where the selected passage appears";
  });
})();
