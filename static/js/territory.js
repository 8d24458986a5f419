/* Territory in two moves: once a comuna or corregimiento is chosen, the barrio/vereda list shows
   only its barrios or veredas. Without JavaScript the form's "Ver solo los barrios…" button does
   the same through the server; with it, the button is hidden and the list follows the choice. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".territory-moves");
  Array.prototype.forEach.call(boxes, function (box) {
    var parent = document.getElementById(box.getAttribute("data-territory"));
    var select = document.getElementById(box.getAttribute("data-subterritory"));
    var refine = box.querySelector(".territory-refine");
    if (!parent || !select) { return; }
    var groups = Array.prototype.slice.call(select.querySelectorAll("optgroup"));
    var known = groups.map(function (g) { return g.getAttribute("data-parent"); });
    var narrowedByServer = groups.length === 1;

    function update() {
      var code = parent.value;
      if (narrowedByServer && code && known.indexOf(code) === -1) {
        // The page came narrowed to another comuna: let the server send this one's list.
        if (refine) { refine.hidden = false; }
        groups.forEach(function (g) { if (g.parentNode) { select.removeChild(g); } });
        select.value = "";
        return;
      }
      if (refine) { refine.hidden = true; }
      var current = select.value;
      groups.forEach(function (g) {
        var show = !code || g.getAttribute("data-parent") === code || known.indexOf(code) === -1;
        if (show && !g.parentNode) { select.appendChild(g); }
        if (!show && g.parentNode) { select.removeChild(g); }
      });
      if (select.value !== current) { select.value = ""; }
    }
    parent.addEventListener("change", update);
    update();
  });
}());
