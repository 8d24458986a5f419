/* Events: optional enhancements (pages work without JavaScript).
   - Live count: refresh the figures every 5 s from a small JSON endpoint.
   - Projection: swap the rotating QR and the count every 10 s without reloading.
   - Paper entry: after an error, focus the error summary. */
(function () {
  "use strict";

  function getJSON(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status === 200) {
        try { done(JSON.parse(xhr.responseText)); } catch (e) { /* keep the last figures */ }
      }
    };
    xhr.send();
  }

  var live = document.getElementById("live-count");
  if (live) {
    var total = document.getElementById("live-total");
    var updated = document.getElementById("live-updated");
    var totalWord = document.getElementById("live-total-word");
    setInterval(function () {
      getJSON(live.getAttribute("data-source"), function (data) {
        total.textContent = data.total.toLocaleString("es-CO");
        if (totalWord && data.total_word) { totalWord.textContent = data.total_word; }
        updated.textContent = data.updated;
        var spans = live.querySelectorAll("[data-channel]");
        for (var i = 0; i < spans.length; i++) {
          var n = data.channels[spans[i].getAttribute("data-channel")] || 0;
          spans[i].textContent = n.toLocaleString("es-CO");
        }
      });
    }, 5000);
  }

  var projection = document.getElementById("projection");
  if (projection) {
    var qr = document.getElementById("projection-qr");
    var count = document.getElementById("projection-count");
    var countWord = document.getElementById("projection-count-word");
    var tick = function () {
      getJSON(projection.getAttribute("data-source"), function (data) {
        if (qr.getAttribute("src") !== data.qr) { qr.setAttribute("src", data.qr); }
        var typed = document.getElementById("projection-code");
        if (typed && typed.hasAttribute("data-rotating") && data.code) { typed.textContent = data.code; }
        count.textContent = data.count.toLocaleString("es-CO");
        if (countWord && data.count_word) { countWord.textContent = data.count_word; }
      });
    };
    setInterval(tick, 10000);
  }

  var summary = document.getElementById("error-summary");
  if (summary && document.getElementById("paper-form")) { summary.focus(); }
})();
