// Urna virtual receipt: a print button, and a warning before leaving the page until the code is saved.
(function () {
  "use strict";
  var receipt = document.querySelector("[data-keep-warning]");
  if (!receipt) { return; }
  var saved = false;
  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { saved = true; window.print(); });
  }
  document.querySelectorAll("[data-saves-code]").forEach(function (el) {
    el.addEventListener("click", function () { saved = true; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (saved) { return; }
    event.preventDefault();
    event.returnValue = receipt.getAttribute("data-keep-warning");
    return event.returnValue;
  });
})();
