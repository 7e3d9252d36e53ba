/* The customer and product viewers: mark the row a person picked, and tell them when the
   server refused something (a role without the right, a stale page) instead of doing nothing. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var picked = event.target.closest("[data-pick]");
    if (!picked) { return; }
    var list = picked.closest("tbody, ul");
    if (list) { list.querySelectorAll(".selected").forEach(function (el) { el.classList.remove("selected"); }); }
    picked.classList.add("selected");
  });

  var timer = null;
  document.addEventListener("htmx:responseError", function (event) {
    var toast = document.getElementById("toast");
    if (!toast) { return; }
    var xhr = event.detail.xhr, text = xhr.status + " " + xhr.statusText;
    try { text = JSON.parse(xhr.responseText).detail || text; } catch (ignored) { /* not JSON */ }
    toast.textContent = typeof text === "string" ? text : "The request was refused.";
    toast.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(function () { toast.hidden = true; }, 6000);
  });
})();
