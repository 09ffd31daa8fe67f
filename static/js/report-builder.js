// Progressive enhancement for the report builder: a live word count against the limit.
// It counts as the server does (jurisdictions/reports/wordcount.py): a word is a run of
// non-space characters holding a letter or digit. Without this script the page shows the
// server's count after "Update preview".
(function () {
  "use strict";
  var wordlike = /[\p{L}\p{N}]/u;
  function count(text) {
    return text.split(/\s+/).filter(function (t) { return wordlike.test(t); }).length;
  }
  document.querySelectorAll("form[data-report-builder]").forEach(function (form) {
    var fixed = parseInt(form.dataset.fixedWords, 10) || 0;
    var limit = parseInt(form.dataset.limit, 10) || 0;
    var output = form.querySelector("[data-wordcount]");
    var over = form.querySelector("[data-over]");
    var overBy = form.querySelector("[data-over-by]");
    function update() {
      var total = fixed;
      form.querySelectorAll("[data-counted]").forEach(function (field) {
        total += count(field.value);
      });
      output.textContent = String(total);
      if (over && limit) {
        over.hidden = total <= limit;
        overBy.textContent = String(Math.max(0, total - limit));
      }
    }
    form.addEventListener("input", update);
    update();
  });
})();
