// The CPU timeline of a run: one lane per thread, filled where the thread was on a CPU and
// hatched where it was ready but waiting for one, from the runner's /proc samples. A finished
// run's samples are fetched once; a running one's arrive over its WebSocket (/ws/runs/{id})
// and the drawing follows them, at most once a frame.
(function () {
  "use strict";

  var LANE = 16, GAP = 4, LABEL = 118, MAX_LANES = 24;

  function colour(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function draw(figure, trace) {
    var canvas = figure.querySelector("canvas");
    var threads = trace.threads.slice().sort(function (a, b) {
      return a.pid - b.pid || a.first_ms - b.first_ms;
    }).slice(0, MAX_LANES);
    if (!threads.length || !trace.samples.length) {
      figure.hidden = true;
      return;
    }
    var lane = {}, label = {}, counts = {};
    threads.forEach(function (t, i) {
      lane[t.tid] = i;
      counts[t.pid] = (counts[t.pid] || 0) + 1;
      label[t.tid] = t.pid === t.tid ? "pid " + t.pid + " main" : "  thread " + counts[t.pid];
    });
    var end = trace.samples[trace.samples.length - 1][0];
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.parentElement.clientWidth;
    var height = threads.length * (LANE + GAP) + 18;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
    var g = canvas.getContext("2d");
    g.scale(ratio, ratio);
    var plot = width - LABEL - 8;
    var x = function (ms) { return LABEL + (ms / end) * plot; };
    g.font = "11px " + colour("--mono");
    g.textBaseline = "middle";
    threads.forEach(function (t, i) {
      var y = i * (LANE + GAP);
      g.fillStyle = colour("--surface-2");
      g.fillRect(LABEL, y, plot, LANE);
      g.fillStyle = colour("--muted");
      g.fillText(label[t.tid], 0, y + LANE / 2);
    });
    var previous = {};
    var cpu = colour("--accent"), runq = colour("--warn");
    trace.samples.forEach(function (s) {
      var at = s[0], tid = s[1], onCpu = s[2], waiting = s[3];
      if (!(tid in lane)) return;
      var from = previous[tid] === undefined ? at - 15 : previous[tid];
      previous[tid] = at;
      var y = lane[tid] * (LANE + GAP), left = x(from), w = Math.max(1, x(at) - left);
      if (onCpu > 0.02) {
        g.globalAlpha = Math.min(1, 0.15 + onCpu);
        g.fillStyle = cpu;
        g.fillRect(left, y, w, LANE);
      }
      if (waiting > 0.05) {
        g.globalAlpha = Math.min(1, 0.2 + waiting);
        g.fillStyle = runq;
        g.fillRect(left, y + LANE * 0.65, w, LANE * 0.35);
      }
      g.globalAlpha = 1;
    });
    g.fillStyle = colour("--muted");
    g.textBaseline = "alphabetic";
    g.fillText("0", LABEL, height - 3);
    var total = (end / 1000).toFixed(end < 10000 ? 2 : 1) + " s";
    g.fillText(total, width - 8 - g.measureText(total).width, height - 3);
    figure.setAttribute("data-drawn", String(threads.length));
  }

  function follow(figure) {
    figure.setAttribute("data-live", "");
    var trace = { threads: [], samples: [] }, queued = false;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + figure.getAttribute("data-live-url"));
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type !== "samples") return;
      trace.threads = trace.threads.concat(message.threads);
      trace.samples = trace.samples.concat(message.samples);
      figure.setAttribute("data-samples", String(trace.samples.length));
      if (!queued && trace.samples.length) {
        queued = true;
        requestAnimationFrame(function () {
          queued = false;
          figure.hidden = false;
          draw(figure, trace);
        });
      }
    };
    // The run's partial replaces this figure with the finished timeline once the run is final.
  }

  function drawAll(root) {
    root.querySelectorAll(".cpu-timeline[data-live-url]:not([data-live])").forEach(follow);
    root.querySelectorAll(
      ".cpu-timeline[data-samples-url]:not([data-drawn]):not([data-loading])"
    ).forEach(
      function (figure) {
        figure.setAttribute("data-loading", "");
        fetch(figure.getAttribute("data-samples-url"), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (trace) {
            figure.removeAttribute("data-loading");
            if (trace) draw(figure, trace); else figure.hidden = true;
          });
      });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.detail.elt.parentElement || document); });
})();
