// Show a follow-up question only when its condition holds ("if yes, how strong?").
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  if (!form) { return; }
  function update() {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var chosen = form.querySelector("input[name='" + box.dataset.showIf + "']:checked");
      var show = chosen && chosen.value === box.dataset.showValue;
      box.hidden = !show;
      box.querySelectorAll("input").forEach(function (i) { i.disabled = !show; });
    });
  }
  form.addEventListener("change", update);
  update();
})();
