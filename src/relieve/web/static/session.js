// The timed guided session. Time is kept from timestamps (Date.now against the phase's
// end), so a background tab never drifts; nothing starts until the person presses a
// button; each finished phase and technique is stored at once through the JSON API.
(function () {
  "use strict";
  var root = document.getElementById("session");
  if (!root) return;
  var id = root.getAttribute("data-id");
  var $ = function (x) { return document.getElementById(x); };
  var state = { techniques: [], t: null, phase: -1, endAt: 0, total: 0, left: 0, started: 0, timer: null,
                paused: false, lock: null, busy: false };

  function api(path, body) {
    return fetch("/api/sessions/" + id + path, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (e) { throw new Error(JSON.stringify(e.detail || e)); });
      return r.json();
    });
  }
  function say(text) {
    $("announce").textContent = text;
    if ($("speak").checked && window.speechSynthesis) {
      try { window.speechSynthesis.cancel(); window.speechSynthesis.speak(new SpeechSynthesisUtterance(text)); } catch (e) { /* no voice */ }
    }
  }
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      state.audio = state.audio || new Ctx();
      var o = state.audio.createOscillator(), g = state.audio.createGain();
      o.frequency.value = 660; g.gain.value = 0.08; o.connect(g); g.connect(state.audio.destination);
      o.start(); o.stop(state.audio.currentTime + 0.15);
    } catch (e) { /* no sound */ }
  }
  function wake(on) {
    if (on && "wakeLock" in navigator && !state.lock) {
      navigator.wakeLock.request("screen").then(function (l) { state.lock = l; $("wake").textContent = "The screen stays on during the session."; })
        .catch(function () { $("wake").textContent = ""; });
    } else if (!on && state.lock) { state.lock.release(); state.lock = null; }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state.timer && !state.paused) { state.lock = null; wake(true); }
  });
  function buttons(running) {
    $("start").disabled = running || !state.t;
    $("pause").disabled = !running || state.paused;
    $("resume").disabled = !running || !state.paused;
    $("skip").disabled = !running;
  }
  function show(left) {
    $("clock").textContent = Math.max(0, Math.ceil(left));
    var done = state.total > 0 ? 100 * (1 - left / state.total) : 100;
    $("bar-fill").style.width = Math.min(100, Math.max(0, done)) + "%";
  }
  function nextTechnique(key) {
    state.t = null;
    state.techniques.forEach(function (t) { if (t.technique === key) state.t = t; });
    $("technique-title").textContent = state.t ? state.t.title : "All techniques done";
    $("phase-label").textContent = state.t ? "Ready: press Start" : "Done";
    $("cue").textContent = "";
    show(0);
    buttons(false);
  }
  function startPhase(i) {
    var t = state.t;
    while (i < t.phases.length && t.phases[i].done) i++;
    if (i >= t.phases.length) return rate();
    var p = t.phases[i];
    state.phase = i; state.total = p.seconds; state.started = Date.now();
    state.endAt = Date.now() + p.seconds * 1000; state.paused = false;
    var rep = p.repetition ? " " + p.repetition : "";
    $("phase-label").textContent = p.label + rep;
    $("cue").textContent = p.cue;
    beep();
    say(p.label + rep + ". " + p.cue + " " + Math.round(p.seconds) + " seconds.");
    buttons(true);
    clearInterval(state.timer);
    state.timer = setInterval(tick, 200);
    tick();
  }
  function tick() {
    if (state.paused) return;
    var left = (state.endAt - Date.now()) / 1000;
    show(left);
    if (left <= 0) endPhase(false);
  }
  function endPhase(skipped) {
    clearInterval(state.timer); state.timer = null;
    var t = state.t, i = state.phase;
    var seconds = Math.max(0, (Date.now() - state.started) / 1000);
    t.phases[i].done = true;
    api("/phases", { technique: t.technique, phase_index: i, seconds: seconds, skipped: skipped })
      .catch(function (e) { $("cue").textContent = "Could not store this step: " + e.message; });
    startPhase(i + 1);
  }
  function rate() {
    buttons(false);
    $("start").disabled = true;
    $("phase-label").textContent = "Technique done";
    $("cue").textContent = "";
    beep();
    say("Done. How strong is your pain now, 0 to 10?");
    $("rate").hidden = false;
    var first = $("rate-buttons").querySelector("button");
    if (first) first.focus();
  }
  function rated(pain) {
    if (state.busy) return;
    state.busy = true;
    // The rating stays (and keeps the focus) until it is stored: then the choices
    // that follow take the focus; if storing fails, the person can press again.
    $("rate").setAttribute("aria-busy", "true");
    api("/steps", { technique: state.t.technique, pain_after: pain }).then(function (d) {
      state.busy = false;
      $("rate").removeAttribute("aria-busy");
      $("rate").hidden = true;
      state.t.done = true;
      decide(d);
    }).catch(function (e) {
      state.busy = false;
      $("rate").removeAttribute("aria-busy");
      $("cue").textContent = "Could not store: " + e.message;
      say($("cue").textContent);
    });
  }
  function decide(d) {
    var box = $("decision");
    box.hidden = false;
    box.textContent = "";
    var p = document.createElement("p");
    if (d.pain_after !== null && d.pain_start !== null) {
      p.textContent = "Pain " + d.pain_start + " → " + d.pain_after + " (" + (d.relief_points >= 0 ? "+" : "") +
        d.relief_points + " points). " + (d.relieved ? "That is a meaningful relief." : "Less than a meaningful relief so far.");
    } else { p.textContent = "Technique stored."; }
    box.appendChild(p);
    var row = document.createElement("div"); row.className = "row"; box.appendChild(row);
    if (d.next_technique) {
      var go = document.createElement("button"); go.type = "button"; go.className = d.relieved ? "" : "primary";
      go.textContent = "Go on with " + d.next_technique_title;
      go.addEventListener("click", function () { box.hidden = true; nextTechnique(d.next_technique); $("start").focus(); });
      row.appendChild(go);
    } else if (d.offer === "next_candidate" && d.next_candidate) {
      var name = d.next_candidate[1] + " " + d.next_candidate[0].replace(/_/g, " ");
      var q = document.createElement("p");
      q.textContent = "The next likely muscle is the " + name + ".";
      box.insertBefore(q, row);
      var other = document.createElement("button"); other.type = "button"; other.className = "primary";
      other.textContent = "Go on with the " + name;
      other.addEventListener("click", function () {
        other.disabled = true;
        // stored with the session; the page is then drawn anew for that muscle
        api("/choose", { muscle: d.next_candidate[0], side: d.next_candidate[1] })
          .then(function () { window.location.reload(); })
          .catch(function (e) { other.disabled = false; say("Could not switch: " + e.message); });
      });
      row.appendChild(other);
    }
    var fin = document.createElement("button"); fin.type = "button"; fin.className = (d.next_technique || d.offer === "next_candidate") && !d.relieved ? "" : "primary";
    fin.textContent = "Finish the session"; fin.addEventListener("click", function () { finish("completed"); });
    row.appendChild(fin);
    say(p.textContent);
    (row.querySelector(".primary") || fin).focus();
    nextTechnique(null);
  }
  function finish(status) {
    clearInterval(state.timer); state.timer = null; wake(false);
    api("/finish", { status: status }).then(function (r) {
      var box = $("decision"); box.hidden = false; box.textContent = "";
      var p = document.createElement("p");
      p.textContent = "Session " + (status === "completed" ? "completed" : "stopped") + ": " + r.steps.length + " technique(s) stored. ";
      var a = document.createElement("a"); a.href = "/history"; a.textContent = "See your history";
      p.appendChild(a); box.appendChild(p);
      buttons(false); $("start").disabled = true; $("stop").disabled = true;
      $("phase-label").textContent = "Finished";
      say(p.textContent);
      a.focus();
    }).catch(function (e) {
      $("cue").textContent = "Could not finish the session: " + e.message;
      say($("cue").textContent);
      $("stop").focus();
    });
  }
  $("start").addEventListener("click", function () {
    if (!state.t) return;
    wake(true);
    startPhase(0);
    // Start is now disabled: keep the keyboard on the session's controls.
    if (!$("pause").disabled) $("pause").focus();
  });
  $("pause").addEventListener("click", function () {
    state.paused = true; state.left = (state.endAt - Date.now()) / 1000;
    $("phase-label").textContent += " (paused)"; say("Paused."); buttons(true); wake(false); $("resume").focus();
  });
  $("resume").addEventListener("click", function () {
    state.endAt = Date.now() + state.left * 1000; state.paused = false;
    $("phase-label").textContent = $("phase-label").textContent.replace(" (paused)", "");
    say("Resumed."); buttons(true); wake(true); $("pause").focus();
  });
  $("skip").addEventListener("click", function () { if (state.timer || state.paused) endPhase(true); });
  $("stop").addEventListener("click", function () { finish("stopped"); });
  $("rate-buttons").addEventListener("click", function (e) {
    var v = e.target.getAttribute && e.target.getAttribute("data-pain");
    if (v !== null && v !== undefined) rated(Number(v));
  });
  $("rate-skip").addEventListener("click", function () { rated(null); });
  api("").then(function (data) {
    state.techniques = data.techniques_detail || [];
    if (data.status !== "in_progress") { nextTechnique(null); $("stop").disabled = true; return; }
    nextTechnique(data.next_technique);
  }).catch(function (e) { $("cue").textContent = "Could not load the session: " + e.message; });
})();
