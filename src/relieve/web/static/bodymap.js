// The body map: each place on the pictures is a checkbox (role=checkbox, Tab + Space),
// kept in step with the real checkbox in the list below, which is what the form sends.
(function () {
  "use strict";
  function box(value) { return document.querySelector('#pain-list input[value="' + value + '"]'); }
  function sync(spot) {
    var input = box(spot.getAttribute("data-value"));
    spot.setAttribute("aria-checked", input && input.checked ? "true" : "false");
  }
  function toggle(spot) {
    var input = box(spot.getAttribute("data-value"));
    if (!input) return;
    input.checked = !input.checked;
    document.querySelectorAll('.spot[data-value="' + spot.getAttribute("data-value") + '"]').forEach(sync);
  }
  document.querySelectorAll(".spot").forEach(function (spot) {
    sync(spot);
    spot.addEventListener("click", function () { toggle(spot); });
    spot.addEventListener("keydown", function (e) {
      if (e.key === " " || e.key === "Enter") { e.preventDefault(); toggle(spot); }
    });
  });
  document.querySelectorAll("#pain-list input").forEach(function (input) {
    input.addEventListener("change", function () {
      document.querySelectorAll('.spot[data-value="' + input.value + '"]').forEach(sync);
    });
  });
})();
