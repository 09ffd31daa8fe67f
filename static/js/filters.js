// Progressive enhancement for the filter forms. The forms are plain GET forms, so the URL
// always holds the state and every page works without this script.
(function () {
  "use strict";
  // Apply a filter as soon as it changes. On a narrow screen the drawer the change was
  // made in stays open on the next page, with the focus back on the same control, so
  // ticking several values does not mean opening the drawer again each time.
  var KEEP = "filters-keep-open";
  document.querySelectorAll("form[data-filter-form]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=checkbox], input[type=radio], select")) {
        try {
          if (event.target.closest("details[data-wide-open]")) {
            sessionStorage.setItem(KEEP, event.target.id || "1");
          }
        } catch (e) { /* storage refused: the drawer closes, nothing else changes */ }
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  });

  // Filters sit behind a disclosure on narrow screens; wide screens open it.
  if (window.matchMedia("(min-width: 48.01rem)").matches) {
    document.querySelectorAll("details[data-wide-open]").forEach(function (d) { d.open = true; });
  }
  var kept = null;
  try { kept = sessionStorage.getItem(KEEP); sessionStorage.removeItem(KEEP); } catch (e) { kept = null; }
  if (kept) {
    document.querySelectorAll("details[data-wide-open]").forEach(function (d) { d.open = true; });
    var control = kept !== "1" && document.getElementById(kept);
    if (control) {
      var facet = control.closest("details.facet");
      if (facet) facet.open = true;
      control.focus({ preventScroll: false });
    }
  }

  function normal(text) {
    return text.toLocaleLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  // Long option lists get a box that narrows them as one types.
  document.querySelectorAll("fieldset[data-narrow]").forEach(function (fieldset, i) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "narrow-box";
    input.id = "narrow-" + i;
    input.setAttribute("aria-label", interpolate(gettext("Type to narrow %(what)s"), { what: fieldset.dataset.narrow }, true));
    input.placeholder = gettext("Type to narrow");
    var none = document.createElement("p");
    none.className = "narrow-none";
    none.setAttribute("role", "status");
    fieldset.insertBefore(none, fieldset.querySelector("legend").nextSibling);
    fieldset.insertBefore(input, none);
    // Enter in this box narrows; it must not submit the whole form.
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    input.addEventListener("input", function () {
      var wanted = normal(input.value.trim());
      var shown = 0;
      fieldset.querySelectorAll("li.option").forEach(function (li) {
        var hit = !wanted || normal(li.textContent).indexOf(wanted) !== -1;
        li.hidden = !hit;
        if (hit) shown += 1;
      });
      fieldset.querySelectorAll("fieldset.subgroup").forEach(function (group) {
        group.hidden = !group.querySelector("li.option:not([hidden])");
      });
      none.textContent = shown ? "" : interpolate(gettext("Nothing matches “%(typed)s”."), { typed: input.value.trim() }, true);
    });
  });

  // A table with a name box above it narrows as one types (the box also submits).
  document.querySelectorAll("input[data-narrow-table]").forEach(function (input) {
    var table = document.getElementById(input.dataset.narrowTable);
    if (!table) return;
    input.addEventListener("input", function () {
      var wanted = normal(input.value.trim());
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = wanted && normal(row.cells[0].textContent).indexOf(wanted) === -1;
      });
    });
  });
})();
