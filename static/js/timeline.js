// The timeline of a run: one lane per thread, grouped by process, filled where the thread was on
// a CPU and marked where it was ready but waiting for one (the runner's /proc samples); each wait
// the tracing agent saw, coloured by what it waits on; and under each event loop's thread, a lane
// per asyncio task, running or awaiting. A finished run's trace is fetched once; a running one's
// arrives over its WebSocket (/ws/runs/{id}) and the drawing follows its live edge, at most once
// a frame. Zoom with Ctrl+wheel or + and -, pan by dragging or with the arrow keys, 0 resets.
(function () {
  "use strict";

  var LANE = 16, GAP = 4, MAX_LANES = 40, MAX_TASK_LANES = 8, AXIS = 18;

  // Room for lane names: up to 132 px, less on a narrow column.
  function labelWidth(width) { return Math.round(Math.min(132, Math.max(84, width * 0.26))); }

  function colour(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  var WAIT_COLOUR = {
    lock: "--wait-lock", rlock: "--wait-lock",
    condition: "--wait-signal", event: "--wait-signal", semaphore: "--wait-signal",
    barrier: "--wait-signal", "queue-get": "--wait-queue", "queue-put": "--wait-queue",
    "mp-queue-get": "--wait-queue", "mp-queue-put": "--wait-queue", pipe: "--wait-queue",
    join: "--wait-join", future: "--wait-join", task: "--wait-join", executor: "--wait-join",
    sleep: "--wait-sleep", io: "--wait-sleep"
  };

  // The agent's events as spans: each wait from its B to its U record (open at the end while
  // the thread is still blocked), each thread's name, each process's GIL, and each asyncio task
  // with its steps.
  function readEvents(events) {
    var open = {}, waits = [], names = {}, gil = {}, how = {}, tasks = [], liveTasks = {};
    (events || []).forEach(function (e) {
      var kind = e[0];
      if (kind === "P") { gil[e[2]] = e[5]; how[e[2]] = e[4]; }
      else if (kind === "T") names[e[3]] = e[4];
      else if (kind === "B") {
        open[e[3]] = { tid: e[3], kind: e[4], site: e[6], line: e[7], owner: e[8], name: e[9],
          start: e[1], end: null };
        waits.push(open[e[3]]);
      } else if (kind === "U" && open[e[3]]) {
        open[e[3]].end = e[1];
        open[e[3]].waker = e[6];
        delete open[e[3]];
      } else if (kind === "K") {
        var task = { pid: e[2], tid: e[3], id: e[4], name: e[5], site: e[6], coroutine: e[7],
          start: e[1], end: null, outcome: null, steps: [] };
        liveTasks[e[2] + ":" + e[4]] = task;
        tasks.push(task);
      } else if (kind === "S" && liveTasks[e[2] + ":" + e[4]]) {
        liveTasks[e[2] + ":" + e[4]].steps.push({ start: e[1], end: e[1] + e[5] / 1000, awaits: e[6], line: e[7] });
      } else if (kind === "F" && liveTasks[e[2] + ":" + e[3]]) {
        liveTasks[e[2] + ":" + e[3]].end = e[1];
        liveTasks[e[2] + ":" + e[3]].outcome = e[4];
        delete liveTasks[e[2] + ":" + e[3]];
      }
    });
    return { waits: waits, names: names, gil: gil, how: how, tasks: tasks };
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

  function ms(from, to) { return (to - from).toFixed(to - from < 10 ? 1 : 0) + " ms"; }

  function describeWait(w, names, end) {
    var text = w.kind + (w.name ? " " + w.name : "") + ": waited at " + (w.line || "?") + ", " +
      ms(w.start, w.end === null ? end : w.end);
    if (w.site) text += "; made at " + w.site;
    if (w.owner) text += "; held by " + (names[w.owner] || "thread " + w.owner);
    if (w.waker && w.waker !== w.owner) text += "; woken by " + (names[w.waker] || "thread " + w.waker);
    if (w.end === null) text += "; still waiting when the run ended";
    return text;
  }

  function describeStep(task, step, next, end) {
    var text = "task " + task.name + " (" + task.coroutine + "): ";
    if (!next) return text + "ran " + ms(step.start, step.end);
    return text + "awaited " + step.awaits + (step.line ? " at " + step.line : "") + ", " +
      ms(step.end, next === true ? end : next.start);
  }

  // The time a trace covers: its last sample or event, in ms since the run started.
  function extent(trace) {
    var end = trace.samples.length ? trace.samples[trace.samples.length - 1][0] : 0;
    (trace.events || []).forEach(function (e) {
      if (e[0] === "S") end = Math.max(end, e[1] + e[5] / 1000);
      else if ("BUKF".indexOf(e[0]) >= 0) end = Math.max(end, e[1]);
    });
    return end;
  }

  // A loop's tasks share lanes where they do not overlap in time, as Perfetto packs async
  // slices: a task takes the first lane free by its start. At most MAX_TASK_LANES lanes per
  // loop; beyond that, a task goes to the lane that frees first, and overlaps there.
  function packTasks(tasks) {
    var lanes = [];
    tasks.slice().sort(function (a, b) { return a.start - b.start; }).forEach(function (task) {
      var free = null;
      lanes.forEach(function (lane) {
        if (lane.until <= task.start && free === null) free = lane;
      });
      if (free === null && lanes.length >= MAX_TASK_LANES) {
        free = lanes.reduce(function (a, b) { return a.until <= b.until ? a : b; });
      }
      if (free === null) lanes.push(free = { tasks: [], until: 0 });
      free.tasks.push(task);
      free.until = Math.max(free.until, task.end === null ? Infinity : task.end);
    });
    return lanes.map(function (lane) { return lane.tasks; });
  }

  // The lanes, in order: each process's threads (main thread first), and after the thread that
  // runs an event loop, that loop's tasks.
  function lanes(trace, agent) {
    var threads = trace.threads.slice().sort(function (a, b) {
      return a.pid - b.pid || a.first_ms - b.first_ms;
    });
    var byInner = {}, counts = {}, out = [];
    threads.forEach(function (t) { byInner[t.ns_tid || t.tid] = t; });
    var tasksOf = {};
    agent.tasks.forEach(function (task) {
      (tasksOf[task.tid] = tasksOf[task.tid] || []).push(task);
    });
    threads.forEach(function (t) {
      counts[t.pid] = (counts[t.pid] || 0) + 1;
      var named = agent.names[t.ns_tid];
      // A process goes by the pid its own code sees (inside the sandbox's PID namespace) and
      // how it was started; its other threads by name.
      var pid = t.ns_tid || t.pid;
      var label = t.pid === t.tid ? "pid " + pid + " " + (agent.how[pid] || named || "main") : "  " + (named || "thread " + counts[t.pid]);
      out.push({ thread: t, label: label });
      packTasks(tasksOf[t.ns_tid || t.tid] || []).forEach(function (group) {
        var more = group.length > 1 ? " +" + (group.length - 1) : "";
        out.push({ tasks: group, label: "    \u21b3 " + group[0].name + more });
      });
    });
    return { lanes: out.slice(0, MAX_LANES), hidden: Math.max(0, out.length - MAX_LANES), byInner: byInner };
  }

  // Runs of one comparison (the same code under each interpreter) share one time axis, and
  // once all are done a line gives each one's wall time and the speedup.
  function compare(container) {
    if (!container) return;
    var figures = Array.prototype.filter.call(
      container.querySelectorAll(".cpu-timeline[data-samples-url]"), function (f) { return f.trace; });
    var end = 0;
    figures.forEach(function (f) { end = Math.max(end, extent(f.trace)); });
    figures.forEach(function (f) { f.commonEnd = end; draw(f); });
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

  // The part of the time axis on show: the whole run unless the learner zoomed in. A zoomed
  // view that touches the live edge keeps following it.
  function visible(figure, end) {
    var view = figure.view;
    if (!view) return { from: 0, to: Math.max(end, 1) };
    var width = view.to - view.from;
    if (view.following) { view.to = end; view.from = Math.max(0, end - width); }
    return view;
  }

  // Show `width` ms from `from`, kept inside the run; the whole run once it would all fit.
  function show(figure, from, width) {
    var end = figure.end || 1;
    from = Math.max(0, Math.min(end - width, from));
    figure.view = width >= end ? null : { from: from, to: from + width, following: from + width >= end - 1e-6 };
    draw(figure);
  }

  function zoom(figure, factor, atFraction) {
    var end = figure.end || 1, view = visible(figure, end);
    var width = view.to - view.from, centre = view.from + width * atFraction;
    var next = Math.min(end, Math.max(1, width * factor));
    show(figure, centre - next * atFraction, next);
  }

  function pan(figure, fraction) {
    var view = visible(figure, figure.end || 1);
    if (!figure.view) return;
    show(figure, view.from + (view.to - view.from) * fraction, view.to - view.from);
  }

  function controls(figure, canvas) {
    if (figure.hasAttribute("data-interactive")) return;
    figure.setAttribute("data-interactive", "");
    canvas.tabIndex = 0;
    canvas.setAttribute("aria-keyshortcuts", "+ - ArrowLeft ArrowRight 0");
    var plotFraction = function (clientX) {
      var box = canvas.getBoundingClientRect();
      return Math.min(1, Math.max(0, (clientX - box.left - figure.label) / (box.width - figure.label - 8)));
    };
    canvas.addEventListener("wheel", function (event) {
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        zoom(figure, event.deltaY > 0 ? 1.25 : 0.8, plotFraction(event.clientX));
      } else if (figure.view && Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
        event.preventDefault();
        pan(figure, event.deltaX / 500);
      }
    }, { passive: false });
    canvas.addEventListener("keydown", function (event) {
      var keys = { "+": [0.5], "=": [0.5], "-": [2], "_": [2], w: [0.5], s: [2] };
      if (keys[event.key]) zoom(figure, keys[event.key][0], 0.5);
      else if (event.key === "ArrowLeft" || event.key === "a") pan(figure, -0.2);
      else if (event.key === "ArrowRight" || event.key === "d") pan(figure, 0.2);
      else if (event.key === "0" || event.key === "Home") { figure.view = null; draw(figure); }
      else return;
      event.preventDefault();
    });
    var dragging = null;
    canvas.addEventListener("pointerdown", function (event) {
      if (!figure.view) return;
      dragging = { x: event.clientX, from: figure.view.from };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!dragging || !figure.view) return;
      var box = canvas.getBoundingClientRect(), width = figure.view.to - figure.view.from;
      var shift = -(event.clientX - dragging.x) / (box.width - figure.label - 8) * width;
      show(figure, dragging.from + shift, width);
    });
    canvas.addEventListener("pointerup", function () { dragging = null; });
    canvas.addEventListener("dblclick", function () { figure.view = null; draw(figure); });
    var bar = document.createElement("div");
    bar.className = "timeline-controls";
    [["\u2212", "Zoom out (-)", function () { zoom(figure, 2, 0.5); }],
     ["+", "Zoom in (+)", function () { zoom(figure, 0.5, 0.5); }],
     ["\u2190", "Earlier (\u2190)", function () { pan(figure, -0.3); }],
     ["\u2192", "Later (\u2192)", function () { pan(figure, 0.3); }],
     ["Whole run", "Show the whole run (0)", function () { figure.view = null; draw(figure); }]
    ].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary small-button";
      button.textContent = b[0];
      button.title = b[1];
      button.setAttribute("aria-label", b[1]);
      button.addEventListener("click", b[2]);
      bar.appendChild(button);
    });
    figure.insertBefore(bar, canvas);
  }

  function draw(figure) {
    var trace = figure.trace, canvas = figure.querySelector("canvas");
    if (!trace || !trace.threads.length || !trace.samples.length) {
      figure.hidden = true;
      return;
    }
    var agent = readEvents(trace.events);
    var laid = lanes(trace, agent), all = laid.lanes;
    var end = figure.end = Math.max(figure.commonEnd || 0, extent(trace));
    var view = visible(figure, end);
    controls(figure, canvas);
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.parentElement.clientWidth;
    var height = all.length * (LANE + GAP) + AXIS;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
    var g = canvas.getContext("2d");
    g.scale(ratio, ratio);
    var LABEL = figure.label = labelWidth(width);
    var plot = width - LABEL - 8, span = view.to - view.from;
    var x = function (t) { return LABEL + ((t - view.from) / span) * plot; };
    var clipX = function (t) { return Math.max(LABEL, Math.min(LABEL + plot, x(t))); };
    g.font = "11px " + colour("--mono");
    g.textBaseline = "middle";
    var laneOf = {};
    all.forEach(function (l, i) {
      var y = i * (LANE + GAP);
      if (l.thread) laneOf[l.thread.tid] = i;
      g.fillStyle = colour("--surface-2");
      g.fillRect(LABEL, y, plot, LANE);
      g.fillStyle = colour("--muted");
      var text = l.label, room = LABEL - 4;
      while (text.length > 4 && g.measureText(text).width > room) text = text.slice(0, -2) + "\u2026";
      g.fillText(text, 0, y + LANE / 2);
    });
    g.save();
    g.beginPath();
    g.rect(LABEL, 0, plot, height);
    g.clip();

    // Waits per thread, in time order, to tell a traced wait from a wait for the GIL.
    var waitsOf = {};
    agent.waits.forEach(function (w) {
      var t = w.thread = laid.byInner[w.tid] || null;
      if (t) (waitsOf[t.tid] = waitsOf[t.tid] || []).push(w);
    });
    var pidGil = {};
    trace.threads.forEach(function (t) {
      if (t.pid === t.tid) pidGil[t.pid] = agent.gil[t.ns_tid || t.tid];
    });
    var previous = {}, cursor = {}, gilMs = 0, ioMs = 0;
    var cpu = colour("--accent"), runq = colour("--warn");
    var gilColour = colour("--wait-gil"), ioColour = colour("--wait-io");
    trace.samples.forEach(function (s) {
      var at = s[0], tid = s[1], onCpu = s[2], waiting = s[3];
      if (!(tid in laneOf)) return;
      var from = previous[tid] === undefined ? at - 15 : previous[tid];
      previous[tid] = at;
      if (at < view.from || from > view.to) return;
      var y = laneOf[tid] * (LANE + GAP), left = x(from), w = Math.max(1, x(at) - left);
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
      // The rest of the interval, off a CPU and not ready for one, outside every wait the agent
      // traced: a thread found in a futex (or running) with the GIL on spent it waiting for the
      // GIL (it sleeps on the GIL's condition variable); one found in read, poll and the like,
      // waiting on I/O. Traces from before the runner read the system call count any sleep.
      var idle = 1 - onCpu - waiting;
      if (idle < 0.1) return;
      var sleepsIn = s.length > 5 ? s[5] : "futex";
      var forGil = (sleepsIn === "futex" || s[4] === "R") && pidGil[all[laneOf[tid]].thread.pid];
      if (!forGil && sleepsIn !== "io") return;
      var list = waitsOf[tid] || [], i = cursor[tid] || 0;
      while (i < list.length && list[i].end !== null && list[i].end < from) i++;
      cursor[tid] = i;
      if (i < list.length && list[i].start <= at) return;  // inside a traced wait
      g.globalAlpha = Math.min(1, 0.2 + idle);
      g.fillStyle = forGil ? gilColour : ioColour;
      g.fillRect(left, y + LANE * 0.75, w, LANE * 0.25);
      g.globalAlpha = 1;
      if (forGil) gilMs += idle * (at - from);
      else ioMs += idle * (at - from);
    });
    var spans = [], stuck = 0, drawnWaits = 0;
    agent.waits.forEach(function (w) {
      if (!w.thread || !(w.thread.tid in laneOf)) return;
      drawnWaits += 1;
      if (w.end === null && w.kind !== "sleep") stuck += 1;
      var stop = w.end === null ? end : w.end;
      if (stop < view.from || w.start > view.to) return;
      var y = laneOf[w.thread.tid] * (LANE + GAP), left = clipX(w.start), right = clipX(stop);
      g.fillStyle = colour(WAIT_COLOUR[w.kind] || "--muted");
      g.fillRect(left, y + LANE * 0.3, Math.max(1, right - left), LANE * 0.3);
      spans.push({ left: left, right: Math.max(left + 2, right), top: y, text: describeWait(w, agent.names, end) });
    });
    var taskCount = 0;
    all.forEach(function (l, i) {
      if (!l.tasks) return;
      var y = i * (LANE + GAP);
      l.tasks.forEach(function (task) {
        taskCount += 1;
        task.steps.forEach(function (step, n) {
          var next = task.steps[n + 1] || (task.end === null ? true : null);
          if (step.end >= view.from && step.start <= view.to) {
            var left = clipX(step.start), right = clipX(step.end);
            g.fillStyle = cpu;
            g.fillRect(left, y, Math.max(1, right - left), LANE);
            spans.push({ left: left, right: Math.max(left + 2, right), top: y, text: describeStep(task, step, null, end) });
          }
          if (next && step.awaits !== "done" && step.awaits !== "ready") {
            var resumed = next === true ? end : next.start;
            if (resumed < view.from || step.end > view.to) return;
            var a = clipX(step.end), b = clipX(resumed);
            g.fillStyle = colour(WAIT_COLOUR[step.awaits] || "--muted");
            g.fillRect(a, y + LANE * 0.3, Math.max(1, b - a), LANE * 0.3);
            spans.push({ left: a, right: Math.max(a + 2, b), top: y, text: describeStep(task, step, next, end) });
          }
        });
      });
    });
    g.restore();
    canvas.onmousemove = function (event) {
      var box = canvas.getBoundingClientRect(), px = event.clientX - box.left, py = event.clientY - box.top;
      var hit = spans.filter(function (s) {
        return px >= s.left && px <= s.right && py >= s.top && py <= s.top + LANE;
      });
      canvas.title = hit.length ? hit[hit.length - 1].text : "";
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
    waitForGraph(figure, cycle, agent.names);
    figure.setAttribute("data-deadlock", String(cycle.length));
    figure.setAttribute("data-waits", String(drawnWaits));
    figure.setAttribute("data-stuck", String(stuck));
    figure.setAttribute("data-tasks", String(taskCount));
    figure.setAttribute("data-gil-ms", String(Math.round(gilMs)));
    figure.setAttribute("data-io-ms", String(Math.round(ioMs)));
    figure.setAttribute("data-view", view.from.toFixed(1) + "-" + view.to.toFixed(1));
    g.fillStyle = colour("--muted");
    g.textBaseline = "alphabetic";
    var seconds = function (t) { return (t / 1000).toFixed(span < 100 ? 3 : span < 10000 ? 2 : 1) + " s"; };
    var first = seconds(view.from), last = seconds(view.to);
    g.fillText(first, LABEL, height - 3);
    g.fillText(last, width - 8 - g.measureText(last).width, height - 3);
    var more = figure.querySelector(".timeline-more");
    if (laid.hidden && !more) {
      more = document.createElement("p");
      more.className = "timeline-more";
      canvas.insertAdjacentElement("afterend", more);
    }
    if (more) more.textContent = laid.hidden ? laid.hidden + " more lanes are not drawn; the Perfetto trace has them all." : "";
    figure.setAttribute("data-drawn", String(all.filter(function (l) { return l.thread; }).length));
  }

  // The deadlock's wait-for graph: each thread points at the lock it waits for, each lock at
  // the thread holding it, around the cycle.
  function waitForGraph(figure, cycle, names) {
    var old = figure.querySelector(".wait-for-graph");
    if (!cycle.length) { if (old) old.remove(); return; }
    if (old && old.getAttribute("data-cycle") === String(cycle.length)) return;
    if (old) old.remove();
    var ns = "http://www.w3.org/2000/svg", wide = 330, high = 250;
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "wait-for-graph");
    svg.setAttribute("viewBox", "0 0 " + wide + " " + high);
    svg.setAttribute("role", "img");
    svg.setAttribute("data-cycle", String(cycle.length));
    var nodes = [];
    cycle.forEach(function (w) {
      nodes.push({ text: names[w.tid] || "thread " + w.tid, kind: "thread", line: w.line || "" });
      nodes.push({ text: (w.name || w.kind) + (w.site ? " @" + w.site : ""), kind: "lock" });
    });
    svg.setAttribute("aria-label", "Wait-for graph: " + nodes.map(function (n) { return n.text; }).join(" \u2192 ") + " \u2192 " + nodes[0].text);
    var defs = document.createElementNS(ns, "defs");
    defs.innerHTML = '<marker id="wfg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker>';
    svg.appendChild(defs);
    var at = function (i) {
      var angle = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length;
      return { x: wide / 2 + 112 * Math.cos(angle), y: high / 2 + 96 * Math.sin(angle) };
    };
    nodes.forEach(function (node, i) {
      var from = at(i), to = at((i + 1) % nodes.length);
      var dx = to.x - from.x, dy = to.y - from.y, length = Math.sqrt(dx * dx + dy * dy) || 1;
      var line = document.createElementNS(ns, "line");
      line.setAttribute("x1", from.x + dx / length * 26);
      line.setAttribute("y1", from.y + dy / length * 16);
      line.setAttribute("x2", to.x - dx / length * 26);
      line.setAttribute("y2", to.y - dy / length * 16);
      line.setAttribute("class", node.kind === "thread" ? "wfg-waits" : "wfg-held");
      line.setAttribute("marker-end", "url(#wfg-arrow)");
      svg.appendChild(line);
      var label = document.createElementNS(ns, "text");
      label.setAttribute("x", (from.x + to.x) / 2 + (dy / length) * 12);
      label.setAttribute("y", (from.y + to.y) / 2 - (dx / length) * 12);
      label.setAttribute("class", "wfg-edge");
      label.textContent = node.kind === "thread" ? (node.line ? "waits at " + node.line.replace(/^.*:/, "line ") : "waits for") : "held by";
      svg.appendChild(label);
    });
    nodes.forEach(function (node, i) {
      var p = at(i), group = document.createElementNS(ns, "g");
      group.setAttribute("class", "wfg-" + node.kind);
      var box = document.createElementNS(ns, node.kind === "thread" ? "ellipse" : "rect");
      if (node.kind === "thread") {
        box.setAttribute("cx", p.x); box.setAttribute("cy", p.y);
        box.setAttribute("rx", 40); box.setAttribute("ry", 15);
      } else {
        box.setAttribute("x", p.x - 44); box.setAttribute("y", p.y - 13);
        box.setAttribute("width", 88); box.setAttribute("height", 26); box.setAttribute("rx", 4);
      }
      group.appendChild(box);
      var text = document.createElementNS(ns, "text");
      text.setAttribute("x", p.x); text.setAttribute("y", p.y + 4);
      text.textContent = node.text.length > 16 ? node.text.slice(0, 15) + "\u2026" : node.text;
      var title = document.createElementNS(ns, "title");
      title.textContent = node.text;
      group.appendChild(text);
      group.appendChild(title);
      svg.appendChild(group);
    });
    var note = figure.querySelector(".timeline-note");
    figure.insertBefore(svg, note ? note.nextSibling : null);
  }

  // Follows the run's WebSocket. Each trace message carries an id; when the socket drops
  // (a web replica went away, the broker paused, this viewer fell behind), it reconnects to
  // whichever replica answers with ?after=<last id> and goes on with nothing missed or repeated.
  var DONE = { 1000: true, 1008: true, 4404: true };
  function follow(figure) {
    figure.setAttribute("data-live", "");
    var trace = figure.trace = { threads: [], samples: [], events: [] }, queued = false;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var lastId = "", retries = 0;
    function redraw() {
      figure.setAttribute("data-samples", String(trace.samples.length));
      if (!queued && trace.samples.length) {
        queued = true;
        requestAnimationFrame(function () {
          queued = false;
          figure.hidden = false;
          draw(figure);
        });
      }
    }
    function open() {
      var url = scheme + location.host + figure.getAttribute("data-live-url");
      var socket = new WebSocket(lastId ? url + "?after=" + encodeURIComponent(lastId) : url);
      socket.onmessage = function (event) {
        var message = JSON.parse(event.data);
        retries = 0;
        if (message.type === "restart") {  // run again from its start on another runner node
          trace.threads = []; trace.samples = []; trace.events = [];
          lastId = message.id || "";
          redraw();
          return;
        }
        if (message.type !== "trace") return;
        if (message.id) lastId = message.id;
        trace.threads = trace.threads.concat(message.threads);
        trace.samples = trace.samples.concat(message.samples);
        trace.events = trace.events.concat(message.events || []);
        redraw();
      };
      socket.onclose = function (event) {
        if (DONE[event.code] || !document.body.contains(figure)) return;
        retries += 1;
        setTimeout(open, Math.min(5000, 250 * Math.pow(2, retries)));
      };
    }
    open();
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
            draw(figure);
            compare(figure.closest(".runs-compare"));
          });
      });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.detail.elt.parentElement || document); });
})();
