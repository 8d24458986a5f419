// Optional enhancement: hide a conditional question while its condition does not hold.
// Without JavaScript every question shows, with a note saying when to answer it, and the
// server ignores answers whose condition does not hold.
(function () {
  "use strict";
  var form = document.querySelector(".survey-form");
  if (!form) { return; }
  var dependants = form.querySelectorAll("[data-condition-field]");
  if (!dependants.length) { return; }

  function chosen(name) {
    var values = [];
    form.querySelectorAll("input[name='" + name + "']").forEach(function (input) {
      if (input.checked) { values.push(input.value); }
    });
    return values;
  }

  function isVisible(block) {
    var source = document.getElementById("pregunta-" + block.getAttribute("data-condition-field").slice(1));
    if (source && source.hidden) { return false; }
    return chosen(block.getAttribute("data-condition-field")).indexOf(block.getAttribute("data-condition-value")) !== -1;
  }

  function update() {
    dependants.forEach(function (block) {
      var show = isVisible(block);
      block.hidden = !show;
      var note = block.querySelector(".survey-condition, legend .note");
      if (note) { note.classList.toggle("visually-hidden", show); }
    });
  }

  form.addEventListener("change", update);
  update();
})();
