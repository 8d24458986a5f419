/* Participa: small enhancements for every page (every page works without JavaScript).
   - Error summary (GOV.UK pattern): after a failed submit, focus the summary so it is read
     first; each of its links moves focus to its field and scrolls the field's label or legend
     into view, not only the input. */
(function () {
  "use strict";

  function labelFor(input) {
    var fieldset = input.closest ? input.closest("fieldset") : null;
    if (fieldset && (input.type === "radio" || input.type === "checkbox")) {
      var legend = fieldset.querySelector("legend");
      if (legend) { return legend; }
    }
    var id = input.getAttribute("id");
    return (id && document.querySelector("label[for='" + id + "']")) || input;
  }

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a") : null;
      if (!link || link.getAttribute("href").charAt(0) !== "#") { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var folded = input.closest ? input.closest("details") : null;
      if (folded) { folded.open = true; }
      labelFor(input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }
}());
