// A live count under each written answer, against its limit (data-count). The server checks the limit.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-count]").forEach(function (area) {
    var limit = parseInt(area.dataset.count, 10);
    var counter = document.createElement("div");
    counter.className = "form-text text-end";
    area.insertAdjacentElement("afterend", counter);
    function update() {
      counter.textContent = area.value.length.toLocaleString("en-US") + " / " + limit.toLocaleString("en-US") + " characters";
    }
    area.addEventListener("input", update);
    update();
  });
})();
