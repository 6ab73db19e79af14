// The verification desk: "select all on this page" for a queue's bulk decision (the queue works without it).
(function () {
  "use strict";
  function boxes(toggle) {
    var form = toggle.closest("form");
    return form ? Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="ids"]')) : [];
  }
  function reveal() {
    document.querySelectorAll("[data-check-all]").forEach(function (label) { label.hidden = false; });
  }
  document.addEventListener("change", function (event) {
    var toggle = event.target.closest("[data-check-all] input");
    if (toggle) {
      boxes(toggle).forEach(function (box) { box.checked = toggle.checked; });
      return;
    }
    if (event.target.name === "ids") {
      var all = event.target.closest("form") && event.target.closest("form").querySelector("[data-check-all] input");
      if (all) all.checked = boxes(all).every(function (box) { return box.checked; });
    }
  });
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:afterSwap", reveal);
})();
