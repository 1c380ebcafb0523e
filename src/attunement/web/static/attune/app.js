// Attunement's own small script: lock after the idle timeout (the server also
// enforces it), and ask before leaving an unsaved entry.
(function () {
  "use strict";
  var idle = parseInt(document.body.dataset.idleSeconds || "0", 10);
  var lockButton = document.getElementById("lock-button");
  if (idle > 0 && lockButton) {
    var last = Date.now();
    ["keydown", "pointerdown", "scroll", "input"].forEach(function (ev) {
      window.addEventListener(ev, function () { last = Date.now(); }, { passive: true });
    });
    var pinged = Date.now();
    setInterval(function () {
      if (Date.now() - last > idle * 1000) {
        window.attuneLocking = true;  // the unsaved-entry guard must not hold the lock open
        lockButton.form.submit();
        return;
      }
      // Typing for a long while makes no request: tell the server the person is here,
      // so its own idle lock does not close the journal under an unsaved entry.
      if (last > pinged && Date.now() - pinged > 60000) {
        pinged = Date.now();
        var token = lockButton.form.querySelector("input[name=csrfmiddlewaretoken]").value;
        fetch("/keepalive", { method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin" });
      }
    }, 15000);
  }
  // Screen-share mode: blur the writer's words until hovered or focused. Only the
  // on/off choice is kept in the browser, never any text.
  var share = document.getElementById("screen-share");
  function setShare(on) {
    document.body.classList.toggle("screenshare", on);
    if (share) { share.setAttribute("aria-pressed", on ? "true" : "false"); }
    try { localStorage.setItem("attune-screenshare", on ? "1" : "0"); } catch (e) { /* private mode */ }
  }
  try { setShare(localStorage.getItem("attune-screenshare") === "1"); } catch (e) { setShare(false); }
  if (share) {
    share.addEventListener("click", function () {
      setShare(!document.body.classList.contains("screenshare"));
    });
  }
  var editor = document.querySelector("form[data-guard]");
  if (editor) {
    var dirty = false;
    editor.addEventListener("input", function () { dirty = true; });
    editor.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) {
      if (dirty && !window.attuneLocking) { e.preventDefault(); }
    });
  }
})();
