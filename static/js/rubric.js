// The batch form's rubric editor: the sum of the weights follows the typing (the server checks it all the same).
(function () {
  "use strict";
  function update() {
    var total = 0;
    document.querySelectorAll(".rubric-row").forEach(function (row) {
      var remove = row.querySelector("input[name$='_remove']");
      var weight = row.querySelector("input[name$='_weight']");
      if (!weight || (remove && remove.checked)) return;
      var n = parseInt(weight.value, 10);
      if (!isNaN(n)) total += n;
    });
    var box = document.getElementById("field-criteria");
    if (!box) return;
    box.querySelector("strong").textContent = String(total);
    box.classList.toggle("off", total !== 100);
  }
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest(".rubric-row")) update();
  });
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest(".rubric-row")) update();
  });
})();
