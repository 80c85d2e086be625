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

  var WAIT_COLOUR = {
    lock: "--wait-lock", rlock: "--wait-lock",
    condition: "--wait-signal", event: "--wait-signal", semaphore: "--wait-signal",
    barrier: "--wait-signal", "queue-get": "--wait-queue", "queue-put": "--wait-queue",
    join: "--wait-join", sleep: "--wait-sleep"
  };

  // The agent's events as spans: each wait from its B to its U record (open at the end while
  // the thread is still blocked), and each thread's name.
  function readEvents(events) {
    var open = {}, waits = [], names = {};
    (events || []).forEach(function (e) {
      if (e[0] === "T") names[e[3]] = e[4];
      else if (e[0] === "B") {
        open[e[3]] = { tid: e[3], kind: e[4], site: e[6], line: e[7], owner: e[8], name: e[9],
          start: e[1], end: null };
        waits.push(open[e[3]]);
      } else if (e[0] === "U" && open[e[3]]) {
        open[e[3]].end = e[1];
        open[e[3]].waker = e[6];
        delete open[e[3]];
      }
    });
    return { waits: waits, names: names };
  }

  // The waits still open at the end that form a cycle: thread -> lock -> owner -> ...
  function deadlock(agent) {
    var blocked = {};
    agent.waits.forEach(function (w) { if (w.end === null && w.owner) blocked[w.tid] = w; });
    for (var start in blocked) {
      var path = [], seen = {}, at = Number(start);
      while (blocked[at] && !seen[at]) {
        seen[at] = true;
        path.push(blocked[at]);
        at = blocked[at].owner;
      }
      if (at === Number(start) && path.length > 1) return path;
    }
    return [];
  }

  function describe(w, names, end) {
    var ms = ((w.end === null ? end : w.end) - w.start).toFixed(0);
    var text = w.kind + (w.name ? " " + w.name : "") + ": waited at " + (w.line || "?") + ", " + ms + " ms";
    if (w.site) text += "; made at " + w.site;
    if (w.owner) text += "; held by " + (names[w.owner] || "thread " + w.owner);
    if (w.end === null) text += "; still waiting when the run ended";
    return text;
  }

  // The time a trace covers: its last sample or event, in ms since the run started.
  function extent(trace) {
    var end = trace.samples.length ? trace.samples[trace.samples.length - 1][0] : 0;
    (trace.events || []).forEach(function (e) { if (e[0] === "B" || e[0] === "U") end = Math.max(end, e[1]); });
    return end;
  }

  // Runs of one comparison (the same code under each interpreter) share one time axis, and
  // once all are done a line gives each one's wall time and the speedup.
  function compare(container) {
    if (!container) return;
    var figures = Array.prototype.filter.call(
      container.querySelectorAll(".cpu-timeline[data-samples-url]"), function (f) { return f.trace; });
    var end = 0;
    figures.forEach(function (f) { end = Math.max(end, extent(f.trace)); });
    figures.forEach(function (f) { draw(f, f.trace, end); });
    var runs = container.querySelectorAll(".run");
    var done = Array.prototype.filter.call(runs, function (r) { return r.hasAttribute("data-duration-ms"); });
    var note = container.querySelector(".compare-note");
    if (done.length < 2 || done.length !== runs.length) return;
    if (!note) {
      note = document.createElement("p");
      note.className = "compare-note";
      container.appendChild(note);
    }
    var times = done.map(function (r) {
      return { id: r.getAttribute("data-interpreter"), ms: Number(r.getAttribute("data-duration-ms")) };
    }).sort(function (a, b) { return a.ms - b.ms; });
    note.textContent = "Same code, one time axis: " + times.map(function (t) {
      return t.id + " took " + (t.ms / 1000).toFixed(2) + " s";
    }).join(", ") + ". " + times[0].id + " was " + (times[times.length - 1].ms / times[0].ms).toFixed(2) +
      "\u00d7 as fast as " + times[times.length - 1].id + " (wall time of the whole run, start-up included).";
    note.setAttribute("data-fastest", times[0].id);
  }

  function draw(figure, trace, commonEnd) {
    var canvas = figure.querySelector("canvas");
    var agent = readEvents(trace.events);
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
      var named = agent.names[t.ns_tid];
      label[t.tid] = t.pid === t.tid ? "pid " + t.pid + " main" : "  " + (named || "thread " + counts[t.pid]);
    });
    var byInner = {};
    threads.forEach(function (t) { byInner[t.ns_tid || t.tid] = t.tid; });
    var end = Math.max(commonEnd || 0, extent(trace));
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
    var spans = [], stuck = 0;
    agent.waits.forEach(function (w) {
      var tid = byInner[w.tid];
      if (tid === undefined || !(tid in lane)) return;
      var y = lane[tid] * (LANE + GAP), left = x(w.start);
      var right = x(w.end === null ? end : w.end);
      g.fillStyle = colour(WAIT_COLOUR[w.kind] || "--muted");
      g.fillRect(left, y + LANE * 0.3, Math.max(1, right - left), LANE * 0.3);
      spans.push({ left: left, right: Math.max(left + 2, right), top: y, wait: w });
      if (w.end === null && w.kind !== "sleep") stuck += 1;
    });
    canvas.onmousemove = function (event) {
      var box = canvas.getBoundingClientRect(), px = event.clientX - box.left, py = event.clientY - box.top;
      var hit = spans.filter(function (s) {
        return px >= s.left && px <= s.right && py >= s.top && py <= s.top + LANE;
      })[0];
      canvas.title = hit ? describe(hit.wait, agent.names, end) : "";
    };
    var cycle = deadlock(agent);
    var note = figure.querySelector(".timeline-note");
    if (cycle.length && !note) {
      note = document.createElement("p");
      note.className = "timeline-note";
      figure.appendChild(note);
    }
    if (note) {
      note.textContent = cycle.length ? "Deadlock: " + cycle.map(function (w) {
        return (agent.names[w.tid] || "thread " + w.tid) + " waits at " + w.line + " for " +
          (w.name ? w.kind + " " + w.name : "the " + w.kind) + " (made at " + w.site + "), held by " +
          (agent.names[w.owner] || "thread " + w.owner);
      }).join("; ") + "." : "";
    }
    figure.setAttribute("data-deadlock", String(cycle.length));
    figure.setAttribute("data-waits", String(spans.length));
    figure.setAttribute("data-stuck", String(stuck));
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
      if (message.type !== "trace") return;
      trace.threads = trace.threads.concat(message.threads);
      trace.samples = trace.samples.concat(message.samples);
      trace.events = (trace.events || []).concat(message.events || []);
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
            if (!trace) { figure.hidden = true; return; }
            figure.trace = trace;
            draw(figure, trace);
            compare(figure.closest(".runs-compare"));
          });
      });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.detail.elt.parentElement || document); });
})();
