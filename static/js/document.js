/* Document number: the number pad for numeric documents (cédula, tarjeta de identidad…), the
   letters keyboard for those that carry letters (passport, foreign document…), following the
   chosen document type. Without JavaScript the server picks the same from the last choice. */
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-doc-type]");
  Array.prototype.forEach.call(inputs, function (input) {
    var type = document.getElementById(input.getAttribute("data-doc-type"));
    var alnum = (input.getAttribute("data-alnum-types") || "").split(",");
    if (!type) { return; }
    function update() {
      input.setAttribute("inputmode", alnum.indexOf(type.value) === -1 ? "numeric" : "text");
    }
    type.addEventListener("change", update);
    update();
  });
}());
