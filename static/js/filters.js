// Progressive enhancement for the filter forms: apply a filter as soon as it changes.
// The forms are plain GET forms, so the URL always holds the state and every page works
// without this script.
(function () {
  "use strict";
  document.querySelectorAll("form[data-filter-form]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=checkbox], input[type=radio], select")) {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  });
})();
