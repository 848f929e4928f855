// Small page behaviours without inline handlers (the Content-Security-Policy refuses inline
// script, so `onclick="..."` attributes do nothing):
//   <button type="button" data-print>Print</button>          prints the page
//   <input readonly data-select-on-focus value="...">         selects its text on focus (to copy)
//   <button type="button" data-copy="field-id">Copy</button>  copies that field's value, and says
//   <span data-copy-status="field-id"></span>                 so (or to copy by hand) here
"use strict";
document.addEventListener("click", function (event) {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
  var copy = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (copy) {
    copyField(copy.getAttribute("data-copy"));
  }
});

function copyField(id) {
  var field = document.getElementById(id);
  var status = document.querySelector('[data-copy-status="' + id + '"]');
  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }
  if (!(field instanceof HTMLInputElement)) {
    return;
  }
  field.focus();
  field.select();
  // the Clipboard API needs a secure context (HTTPS or localhost); elsewhere the text stays
  // selected for Ctrl+C
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(
      function () { say("Copied."); },
      function () { say("Selected: press Ctrl+C (or ⌘C) to copy."); }
    );
  } else {
    say("Selected: press Ctrl+C (or ⌘C) to copy.");
  }
}
document.addEventListener("focusin", function (event) {
  var field = event.target;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
    field.select();
  }
});
