// Progressive enhancement for "Add to report": the basket changes without a reload, so the
// page stays where it was; the button says "In basket (remove)" and the navigation shows
// the count. Without this script the form posts and comes back to the same item.
(function () {
  "use strict";
  function label(adding, citation) {
    var words = adding ? gettext("In basket (remove): %(citation)s") : gettext("Add to report: %(citation)s");
    return interpolate(words, { citation: citation }, true);
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!form.matches("form.add-to-report") || !button || !window.fetch) { return; }
    event.preventDefault();
    var data = new FormData(form);
    data.append(button.name, button.value);
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (answer) {
      var adding = button.name === "add";
      button.name = adding ? "remove" : "add";
      button.textContent = adding ? gettext("In basket (remove)") : gettext("Add to report");
      button.classList.toggle("in-basket", adding);
      button.setAttribute("aria-label", label(adding, button.dataset.citation || ""));
      document.querySelectorAll("[data-basket-count]").forEach(function (el) {
        el.textContent = answer.count ? " (" + answer.count + ")" : "";
      });
      var status = document.querySelector("[data-basket-status]");
      if (status) { status.textContent = answer.message; }
      button.disabled = false;
    }).catch(function () {
      // The plain form still works: post it the ordinary way.
      button.disabled = false;
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = button.name;
      field.value = button.value;
      form.appendChild(field);
      form.submit();
    });
  });
})();
