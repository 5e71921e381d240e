/* Small behaviours of every page, loaded as a file (the Content-Security-Policy allows no
   inline script). Every page works without them: the header's links then simply wrap. */
(function () {
  "use strict";

  function phoneMenu() {
    var toggle = document.querySelector("header.top .nav-toggle");
    var header = document.querySelector("header.top");
    if (!toggle || !header) { return; }
    document.documentElement.classList.add("has-js");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    });
  }

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  /* The shortlist's "Compare" form: at most four picks; the button says how many. */
  function comparePicks() {
    document.querySelectorAll("form[data-compare]").forEach(function (form) {
      var boxes = form.ownerDocument.querySelectorAll("input[form='" + form.id + "'][name='s']");
      var status = form.querySelector("[data-compare-status]");
      function update() {
        var picked = 0;
        boxes.forEach(function (box) { if (box.checked) { picked += 1; } });
        boxes.forEach(function (box) { box.disabled = !box.checked && picked >= 4; });
        if (status) {
          status.textContent = picked === 0 ? "Tick two to four candidates to compare them."
            : picked === 1 ? "1 candidate picked: pick one to three more."
            : picked + " candidates picked";
        }
      }
      boxes.forEach(function (box) { box.addEventListener("change", update); });
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    phoneMenu();
    printButtons();
    comparePicks();
  });
}());
