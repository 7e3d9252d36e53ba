/* The X viewer's drawer: close it with its button or Escape, and forget the budtender in the
   address (the filters stay). htmx fills it; this only empties it. */
(function () {
  "use strict";
  function close() {
    var panel = document.getElementById("panel");
    if (!panel || !panel.firstElementChild) { return; }
    panel.replaceChildren();
    document.querySelectorAll("#bt-table tr.selected").forEach(function (row) { row.classList.remove("selected"); });
    var url = new URL(window.location.href);
    if (url.searchParams.has("id")) {
      url.searchParams.delete("id");
      history.replaceState(history.state, "", url.pathname + url.search);
    }
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-panel]")) { close(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); }
  });
})();
