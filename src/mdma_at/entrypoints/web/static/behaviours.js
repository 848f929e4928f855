// Small page behaviours without inline handlers (the Content-Security-Policy refuses inline
// script, so `onclick="..."` attributes do nothing):
//   <button type="button" data-print>Print</button>          prints the page
//   <input readonly data-select-on-focus value="...">         selects its text on focus (to copy)
"use strict";
document.addEventListener("click", function (event) {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
document.addEventListener("focusin", function (event) {
  var field = event.target;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
    field.select();
  }
});
