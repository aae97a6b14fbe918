// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Filters submit when a choice changes.
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    // Pages with data-refresh reload themselves, but not while a form field has focus.
    var secs = parseInt(document.body.getAttribute("data-refresh") || "0", 10);
    if (secs > 0) {
      setInterval(function () {
        var a = document.activeElement;
        if (!a || (a.tagName !== "INPUT" && a.tagName !== "SELECT")) { window.location.reload(); }
      }, secs * 1000);
    }
  });
})();
