// Progressive enhancement for the report builder: a live word count against the limit,
// a new limit shown at once, and a change of kind, state or jurisdiction sent with
// everything typed so far (the page comes back with the texts in place).
// It counts as the server does (jurisdictions/reports/wordcount.py): a word is a run of
// non-space characters holding a letter or digit. Without this script the page shows the
// server's count after "Update preview".
(function () {
  "use strict";
  var wordlike = /[\p{L}\p{N}]/u;
  function count(text) {
    return text.split(/\s+/).filter(function (t) { return wordlike.test(t); }).length;
  }
  var limitsData = document.getElementById("word-limits");
  var limits = limitsData ? JSON.parse(limitsData.textContent) : {};
  document.querySelectorAll("form[data-report-builder]").forEach(function (form) {
    var fixed = parseInt(form.dataset.fixedWords, 10) || 0;
    var limit = parseInt(form.dataset.limit, 10) || 0;
    var output = form.querySelector("[data-wordcount]");
    var over = form.querySelector("[data-over]");
    var overBy = form.querySelector("[data-over-by]");
    var limitLine = form.querySelector("[data-limit-line]");
    var limitText = form.querySelector("[data-limit-text]");
    var preview = form.querySelector('button[name="action"][value="preview"]');
    function update() {
      if (!output) { return; }
      var total = fixed;
      form.querySelectorAll("[data-counted]").forEach(function (field) {
        var words = count(field.value);
        // A heading that prints only over written text (the introduction's) counts then.
        if (words) { total += words + (parseInt(field.dataset.headingWords, 10) || 0); }
      });
      output.textContent = String(total);
      if (limitLine) { limitLine.hidden = !limit; }
      if (limitText) { limitText.textContent = limit ? String(limit) : ""; }
      if (over) {
        over.hidden = !limit || total <= limit;
        overBy.textContent = String(Math.max(0, total - limit));
      }
    }
    form.addEventListener("input", update);
    form.addEventListener("change", function (event) {
      var field = event.target;
      if (field.name === "limit") {
        limit = parseInt(limits[field.value], 10) || 0;
        update();
      } else if (field.hasAttribute("data-resubmit") && preview) {
        form.requestSubmit(preview);
      }
    });
    update();
  });
})();
