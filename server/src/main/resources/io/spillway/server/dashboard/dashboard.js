// Spillway dashboard: sparklines (uPlot) and the live tail (EventSource).
// No inline scripts: the pages run under a Content-Security-Policy of 'self'.
// Log text is inserted with textContent only, never as HTML.
(function () {
  "use strict";

  var MAX_LINES = 1000; // lines kept on the page; older ones are removed
  var MAX_HELD = 1000;  // lines held while paused; beyond this the oldest held are dropped and counted
  var HOUR = 3600;      // seconds shown by the charts and sparklines

  function drawCharts(root) {
    var els = Array.prototype.slice.call((root || document).querySelectorAll(".spark[data-app], .chart[data-app]"));
    if (els.length === 0 || typeof uPlot === "undefined") return;
    var apps = [];
    els.forEach(function (el) { if (apps.indexOf(el.dataset.app) < 0) apps.push(el.dataset.app); });
    var q = apps.map(function (a) { return "app=" + encodeURIComponent(a); }).join("&");
    fetch("/fragments/series?" + q, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        els.forEach(function (el) { draw(el, data.apps[el.dataset.app]); });
      })
      .catch(function () {});
  }

  function draw(el, s) {
    var big = el.classList.contains("chart");
    while (el.firstChild) el.removeChild(el.firstChild);
    if (!s || s.t.length < 2) {
      var p = document.createElement("span");
      p.className = "muted";
      p.textContent = "collecting…";
      el.appendChild(p);
      return;
    }
    var width = Math.max(big ? 280 : 100, Math.min(el.clientWidth || 140, big ? 900 : 220));
    var opts = {
      width: width,
      height: big ? 160 : 32,
      legend: { show: big },
      cursor: { show: big },
      // Clock times on the x axis (uPlot picks HH:MM for an hour's span), drops/s and lines/s on y.
      axes: big ? [{}, { label: "per second" }] : [{ show: false }, { show: false }],
      // Always the last hour, ending at the newest sample: a series only a minute old is drawn at the
      // right end of an hour-wide chart, not stretched over the whole width with a seconds axis.
      scales: { x: { time: true, range: function (u, min, max) { return [max - HOUR, max]; } } },
      series: [
        {},
        { label: "lines/s", stroke: "#1a5fb4", width: 1.5 },
        { label: "drops/s", stroke: "#c01c28", width: 1.5 }
      ]
    };
    new uPlot(opts, [s.t, s.rate, s.drops], el);
  }

  function setupTail() {
    var form = document.querySelector("form[data-tail]");
    if (!form) return;
    var list = document.getElementById("tail");
    var grep = document.getElementById("grep");
    var pause = document.getElementById("pause");
    var status = document.getElementById("tail-status");
    var source = null;
    var paused = false;
    var held = [];
    var heldDropped = 0;
    var timer = null;

    function setStatus(text) { status.textContent = text; }

    function append(line) {
      var li = document.createElement("li");
      li.className = "line sev-" + line.severity + (line.marker ? " marker" : "");
      li.dataset.cursor = line.cursor;
      var t = document.createElement("time");
      t.textContent = line.time;
      var sev = document.createElement("span");
      sev.className = "sev";
      sev.textContent = line.severity;
      var msg = document.createElement("span");
      msg.className = "msg";
      msg.textContent = line.message;
      li.appendChild(t);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(sev);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(msg);
      var atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
      list.appendChild(li);
      while (list.children.length > MAX_LINES) list.removeChild(list.firstChild);
      if (atBottom) list.scrollTop = list.scrollHeight;
    }

    function connect() {
      if (source) source.close();
      var url = form.dataset.tail;
      var g = grep.value.trim();
      var params = [];
      if (g) params.push("grep=" + encodeURIComponent(g));
      // Resume after the last line shown, so a line stored while the page loaded is not lost.
      var shown = list.querySelectorAll("li[data-cursor]");
      for (var i = shown.length - 1; i >= 0; i--) {
        if (shown[i].dataset.cursor) { params.push("after=" + encodeURIComponent(shown[i].dataset.cursor)); break; }
      }
      if (params.length) url += "?" + params.join("&");
      source = new EventSource(url);
      setStatus("connecting…");
      source.addEventListener("ready", function () { setStatus(paused ? "paused" : "live"); });
      source.addEventListener("line", function (e) {
        var line = JSON.parse(e.data);
        if (paused) {
          held.push(line);
          if (held.length > MAX_HELD) { held.shift(); heldDropped++; }
          setStatus("paused: " + held.length + " new line(s) held" + (heldDropped ? ", " + heldDropped + " dropped" : ""));
        } else {
          append(line);
        }
      });
      source.addEventListener("missed", function (e) {
        append({ cursor: "", time: "", severity: "notice", marker: true,
                 message: "[" + e.data + " line(s) skipped: the page fell behind]" });
      });
      source.onerror = function () {
        // CLOSED means the server refused (signed out, or the app is not readable): no retry.
        setStatus(source.readyState === EventSource.CLOSED ? "disconnected: reload the page" : "reconnecting…");
      };
    }

    grep.addEventListener("input", function () {
      setStatus("filter changed…");
      clearTimeout(timer);
      timer = setTimeout(connect, 400);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); connect(); });
    pause.addEventListener("click", function () {
      paused = !paused;
      pause.setAttribute("aria-pressed", paused ? "true" : "false");
      pause.textContent = paused ? "Resume" : "Pause";
      if (!paused) {
        held.forEach(append);
        held = [];
        heldDropped = 0;
        setStatus("live");
      } else {
        setStatus("paused");
      }
    });
    list.scrollTop = list.scrollHeight;
    connect();
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    setupTail();
    setInterval(function () { drawCharts(document.querySelector("main .chart") ? document : null); }, 30000);
  });
  document.addEventListener("htmx:afterSwap", function (e) { drawCharts(e.target); });
  // A live fragment answered 401: the session ended (expired, signed out, token revoked).
  document.addEventListener("htmx:responseError", function (e) {
    if (e.detail.xhr && e.detail.xhr.status === 401) window.location.assign("/login");
  });
})();
