// Draw the timeline from the spec in the page (no fetch), with no export menu.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("timeline-chart");
    var source = document.getElementById("timeline-spec");
    if (!holder || !source || typeof vegaEmbed !== "function") { return; }
    var spec = JSON.parse(source.textContent);
    vegaEmbed(holder, spec, {
      actions: false,
      renderer: "svg",
      loader: { target: "_self" },
      tooltip: { theme: "light" }
    }).catch(function (err) {
      holder.textContent = "The chart could not be drawn here; the table below has the same information.";
      if (window.console) { console.error(err); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else { draw(); }
})();
