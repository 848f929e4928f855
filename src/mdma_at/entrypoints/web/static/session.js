/* The dosing-session console: entry time, the browser's UTC offset, and the uPlot charts.
   The page works as plain forms; this adds the shared "time of the entries" field to every
   entry form, and draws the chart from the JSON the live partial carries (redrawn only when
   the data change, after each htmx poll). */
(function () {
  "use strict";
  var KEY = "mdma-at-entry-time:" + location.pathname;

  function offset() { return String(new Date().getTimezoneOffset()); }
  function fillOffsets(root) {
    (root || document).querySelectorAll('input[name="tz"]').forEach(function (i) { i.value = offset(); });
  }
  function entryTime() {
    var el = document.getElementById("entry-time");
    return el ? el.value : "";
  }
  function changed() { document.body.dispatchEvent(new Event("entry-time-changed")); }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    fillOffsets(form);
    var local = form.querySelector('input[name="t_local"]');
    if (local) local.value = entryTime();
  }, true);

  function restoreEntryTime() {
    var el = document.getElementById("entry-time");
    if (!el) return;
    var saved = sessionStorage.getItem(KEY);
    if (saved && !el.value) el.value = saved;
    el.addEventListener("change", function () {
      if (el.value) sessionStorage.setItem(KEY, el.value); else sessionStorage.removeItem(KEY);
      changed();
    });
    var now = document.getElementById("entry-time-now");
    if (now) now.addEventListener("click", function () {
      el.value = ""; sessionStorage.removeItem(KEY); changed();
    });
    if (el.value) changed();
  }

  var lastData = "";
  function line(label, stroke, extra) {
    var s = { label: label, stroke: stroke, width: 2, spanGaps: true };
    for (var k in extra || {}) s[k] = extra[k];
    return s;
  }
  function limit(label, stroke) {
    return line(label, stroke, { width: 1, dash: [3, 6], points: { show: false } });
  }
  function band(label, stroke) {
    return line(label, stroke, { width: 1, dash: [8, 4], points: { show: false } });
  }
  function draw() {
    var holder = document.getElementById("chart-data");
    var main = document.getElementById("vitals-chart");
    var temp = document.getElementById("temp-chart");
    if (!holder || !main || !window.uPlot) return;
    var text = holder.textContent;
    if (text === lastData) return;
    lastData = text;
    var d = JSON.parse(text);
    var L = d.limits;
    var width = Math.max(300, main.clientWidth || 640);
    main.innerHTML = ""; temp.innerHTML = "";
    if (!d.x.length) { main.textContent = "No vital signs recorded yet."; return; }
    var flat = function (xs, v) { return xs.map(function () { return v; }); };
    new uPlot({
      width: width, height: 320,
      series: [
        {},
        line("Systolic", "#b3261e", { points: { show: true, size: 7 } }),
        line("Diastolic", "#e07b39", { points: { show: true, size: 6 } }),
        line("Heart rate", "#1f5fae", { points: { show: true, size: 6 } }),
        band("Expected SBP low", "#b3261e88"), band("Expected SBP high", "#b3261e88"),
        band("Expected HR low", "#1f5fae88"), band("Expected HR high", "#1f5fae88"),
        limit("SBP caution > " + L.systolic_caution, "#9a5b00"),
        limit("SBP critical ≥ " + L.systolic_critical, "#7a1c15"),
        limit("HR caution > " + L.heart_rate_caution, "#5b6677"),
        limit("HR critical ≥ " + L.heart_rate_critical, "#1b2330"),
        limit("SBP low caution < " + L.systolic_low_caution, "#9a5b00"),
        limit("HR low caution < " + L.heart_rate_low_caution, "#5b6677")
      ],
      axes: [{}, { label: "mmHg · beats/min" }]
    }, [d.x, d.systolic, d.diastolic, d.heart_rate, d.sbp_low, d.sbp_high, d.hr_low, d.hr_high,
        flat(d.x, L.systolic_caution), flat(d.x, L.systolic_critical),
        flat(d.x, L.heart_rate_caution), flat(d.x, L.heart_rate_critical),
        flat(d.x, L.systolic_low_caution), flat(d.x, L.heart_rate_low_caution)], main);
    var t = d.temperature;
    new uPlot({
      width: width, height: 180,
      series: [{}, line("Temperature °C", "#1e7a44", { points: { show: true, size: 6 } }),
               limit("caution ≥ " + L.temperature_caution, "#9a5b00"),
               limit("critical ≥ " + L.temperature_critical, "#7a1c15"),
               limit("low caution < " + L.temperature_low_caution, "#5b6677")],
      axes: [{}, { label: "°C" }]
    }, [t.x, t.y, flat(t.x, L.temperature_caution), flat(t.x, L.temperature_critical),
        flat(t.x, L.temperature_low_caution)], temp);
  }

  function ready() { fillOffsets(); restoreEntryTime(); draw(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  document.addEventListener("htmx:afterSwap", function (e) { fillOffsets(e.target); draw(); });
  window.addEventListener("beforeprint", function () { lastData = ""; draw(); });
})();
