// Draw the therapist's chart from the spec embedded in the page as JSON (no fetch, no
// inline script). The server's Content-Security-Policy forbids eval, so Vega runs its
// expressions through vega-embed's bundled interpreter (ast: true) instead of new Function,
// and neither vega-embed nor its tooltip may inject a <style> element: their looks are in
// therapist.css instead (defaultStyle: false, disableDefaultStyle: true).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("therapist-chart");
    var source = document.getElementById("therapist-chart-spec");
    if (!holder || !source || typeof vegaEmbed !== "function") { return; }
    var spec = JSON.parse(source.textContent);
    vegaEmbed(holder, spec, {
      actions: false,
      ast: true,
      defaultStyle: false,
      renderer: "svg",
      loader: { target: "_self" },
      tooltip: { theme: "light", disableDefaultStyle: true }
    }).then(function () {
      holder.setAttribute("data-drawn", "yes");
    }).catch(function (err) {
      holder.textContent = "The chart could not be drawn here; the check-ins table below has the same information.";
      holder.setAttribute("data-drawn", "failed");
      if (window.console) { console.error(err); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else { draw(); }
})();
