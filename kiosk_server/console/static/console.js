/* Console des bornes: confirmations, forms sent without leaving the page, the live view
   (server-sent events) and its audible alert (Web Audio API: a tone made here, no sound file). */
"use strict";
window.kioskConsole = { tones: 0, updates: 0, faultAlerts: 0, soundOn: false };

function relative(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return "il y a " + s + " s";
  if (s < 3600) return "il y a " + Math.floor(s / 60) + " min";
  if (s < 86400) return "il y a " + Math.floor(s / 3600) + " h";
  return "le " + new Date(iso).toLocaleDateString("fr-FR");
}
/* Time in session, worded as live_view.session_duration() words it on the server. */
function sessionFor(iso) {
  const m = Math.floor(Math.max(0, Date.now() - Date.parse(iso)) / 60000);
  if (m < 1) return "moins d'une minute";
  if (m < 60) return m + " min";
  return Math.floor(m / 60) + " h " + String(m % 60).padStart(2, "0");
}
/* How long a kiosk has been silent, worded as live_view.offline_duration() words it. */
function offlineFor(iso) {
  const seconds = Math.max(0, Date.now() - Date.parse(iso)) / 1000;
  const days = Math.floor(seconds / 86400);
  if (days < 1) return sessionFor(iso);
  return days + (days > 1 ? " jours" : " jour");
}
function refreshTimes() {
  document.querySelectorAll("time[data-since]").forEach(function (t) {
    const iso = t.getAttribute("data-since");
    if (iso) { t.textContent = relative(iso); t.title = new Date(iso).toLocaleString("fr-FR"); }
  });
  document.querySelectorAll("time[data-session-since]").forEach(function (t) {
    const iso = t.getAttribute("data-session-since");
    if (iso) { t.textContent = sessionFor(iso); t.title = "depuis " + new Date(iso).toLocaleTimeString("fr-FR"); }
  });
  document.querySelectorAll("time[data-offline-since]").forEach(function (t) {
    const iso = t.getAttribute("data-offline-since");
    if (iso) { t.textContent = offlineFor(iso); t.title = "dernier signal le " + new Date(iso).toLocaleString("fr-FR"); }
  });
}

/* --- confirmation dialog ---------------------------------------------------------------- */
function confirmThen(text, action) {
  const dialog = document.getElementById("confirm");
  if (!dialog || typeof dialog.showModal !== "function") {
    if (window.confirm(text)) action();
    return;
  }
  document.getElementById("confirm-text").textContent = text;
  dialog.returnValue = "";
  dialog.onclose = function () { if (dialog.returnValue === "ok") action(); };
  dialog.showModal();
}

function toast(text, bad) {
  let box = document.getElementById("toast");
  if (!box) {
    box = document.createElement("p");
    box.id = "toast";
    box.setAttribute("role", "status");
    document.querySelector("main").prepend(box);
  }
  box.className = bad ? "error" : "flash";
  box.textContent = text;
}

async function sendForm(form) {
  try {
    const answer = await fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    });
    const body = await answer.json().catch(function () { return {}; });
    if (answer.status === 401) { window.location.reload(); return; }
    toast(body.message || (answer.ok ? "C'est fait." : "Impossible pour l'instant."), !answer.ok);
  } catch (e) {
    toast("Le serveur ne répond pas : vérifiez la connexion et recommencez.", true);
  }
}

document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  if (form.dataset.confirmed === "1") { delete form.dataset.confirmed; return; }
  const text = form.getAttribute("data-confirm");
  const viaFetch = form.hasAttribute("data-fetch");
  if (!text && !viaFetch) return;
  event.preventDefault();
  const go = function () {
    if (viaFetch) { sendForm(form); }
    else { form.dataset.confirmed = "1"; form.requestSubmit ? form.requestSubmit() : form.submit(); }
  };
  if (text) confirmThen(text, go); else go();
});

/* --- audible alert ------------------------------------------------------------------------ */
let audio = null;
function unlockSound() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume();
    window.kioskConsole.soundOn = true;
    localStorage.setItem("kiosk-console-sound", "1");
  } catch (e) { window.kioskConsole.soundOn = false; }
  const button = document.getElementById("sound");
  if (button) {
    button.setAttribute("aria-pressed", String(window.kioskConsole.soundOn));
    button.textContent = window.kioskConsole.soundOn ? "✓ Alerte sonore activée" : "Son indisponible sur cet appareil";
  }
}
function tone() {
  window.kioskConsole.tones += 1;
  if (!audio) return;
  const start = audio.currentTime + 0.02;
  [[880, 0], [660, 0.22], [880, 0.44]].forEach(function (note) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = note[0];
    gain.gain.setValueAtTime(0.0001, start + note[1]);
    gain.gain.exponentialRampToValueAtTime(0.4, start + note[1] + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + note[1] + 0.18);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + note[1]);
    osc.stop(start + note[1] + 0.2);
  });
}
function alertHelp(count) {
  tone();
  if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  document.title = "(" + count + ") Demande d'aide · Console des bornes";
}
/* A device newly at fault rings like a help call; the title names it unless a call is open. */
function alertFault(count, helpOpen) {
  tone();
  window.kioskConsole.faultAlerts += 1;
  if (!helpOpen) document.title = "(" + count + ") Équipement en panne · Console des bornes";
}

/* --- live view ---------------------------------------------------------------------------- */
function startLive(root) {
  let known = new Set(JSON.parse(root.getAttribute("data-open-help") || "[]"));
  let faults = new Set(JSON.parse(root.getAttribute("data-faults") || "[]"));
  const status = document.getElementById("live-status");
  const baseTitle = document.title;
  let lastRing = 0;
  const setState = function (state, text) {
    if (status) { status.dataset.state = state; status.textContent = text; }
  };
  const source = new EventSource(root.getAttribute("data-events"));
  source.onopen = function () { setState("live", "mise à jour en direct"); };
  source.onerror = function () { setState("lost", "connexion perdue, nouvelle tentative…"); };
  source.addEventListener("logout", function () { window.location.reload(); });
  source.addEventListener("live", function (event) {
    const data = JSON.parse(event.data);
    root.innerHTML = data.html;
    window.kioskConsole.updates += 1;
    refreshTimes();
    const open = data.open_help || [];
    const fresh = open.filter(function (id) { return !known.has(id); });
    known = new Set(open);
    if (fresh.length) { alertHelp(open.length); lastRing = Date.now(); }
    const nowFaults = data.faults || [];
    const newFaults = nowFaults.filter(function (key) { return !faults.has(key); });
    faults = new Set(nowFaults);
    if (newFaults.length) alertFault(nowFaults.length, open.length > 0);
    if (!open.length) {
      document.title = nowFaults.length
        ? "(" + nowFaults.length + ") Équipement en panne · Console des bornes" : baseTitle;
    }
    setState("live", "mise à jour en direct");
  });
  /* A call nobody answered rings again every 30 s. */
  setInterval(function () {
    if (known.size && Date.now() - lastRing > 30000) { alertHelp(known.size); lastRing = Date.now(); }
  }, 5000);
  if (known.size) { alertHelp(known.size); lastRing = Date.now(); }
  else if (faults.size) { document.title = "(" + faults.size + ") Équipement en panne · Console des bornes"; }
}

document.addEventListener("DOMContentLoaded", function () {
  refreshTimes();
  setInterval(refreshTimes, 1000);
  const sound = document.getElementById("sound");
  if (sound) {
    sound.addEventListener("click", unlockSound);
    if (localStorage.getItem("kiosk-console-sound") === "1") {
      /* Browsers allow sound only after a gesture: the first touch anywhere turns it back on. */
      unlockSound();
      document.addEventListener("pointerdown", unlockSound, { once: true });
    }
  }
  const live = document.getElementById("live");
  if (live) startLive(live);
  const preset = document.getElementById("periode");
  if (preset) {
    const sync = function () {
      document.querySelectorAll(".custom-dates").forEach(function (f) {
        f.hidden = preset.value !== "perso";
      });
    };
    preset.addEventListener("change", sync);
    sync();
  }
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
});
