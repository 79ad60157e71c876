/* The procedure editor's findings while typing. Progressive enhancement: without scripts,
   « Vérifier » does the same by posting the page. After a pause in typing, the whole form is
   posted as « Vérifier » posts it (its CSRF field included), asking for JSON
   (kiosk_server/console/routes_procedure_editor.py, nothing saved); each finding is put
   beside its field, worded as the server words it there, and the count of problems above the
   form is announced politely to screen readers (it is an aria-live region). */
"use strict";
(function () {
  const form = document.getElementById("editor");
  const count = document.getElementById("error-count");
  if (!form || !count || !window.fetch || !window.AbortController) return;
  const PAUSE_MS = 700;
  let timer = null;
  let asked = 0;
  let pending = null;
  window.kioskEditorChecks = 0; /* answers shown so far */

  function item(finding) {
    const li = document.createElement("li");
    li.className = "finding " + finding.severity;
    li.textContent = finding.message;
    return li;
  }

  function besideFields(beside) {
    form.querySelectorAll(".editor-control[data-path]").forEach(function (control) {
      const found = beside[control.getAttribute("data-path")] || [];
      const field = control.querySelector("input, textarea, select");
      const old = control.querySelector(".findings-beside");
      if (old) old.remove();
      control.classList.toggle("has-finding", found.some(function (f) {
        return f.severity === "error";
      }));
      if (!field) return;
      if (!found.length) { field.removeAttribute("aria-describedby"); return; }
      const list = document.createElement("ul");
      list.className = "findings-beside";
      list.id = field.id + "-f";
      found.forEach(function (f) { list.appendChild(item(f)); });
      control.appendChild(list);
      field.setAttribute("aria-describedby", list.id);
    });
  }

  function elsewhere(findings) {
    let list = document.getElementById("findings-elsewhere");
    if (!findings.length) { if (list) list.remove(); return; }
    if (!list) {
      list = document.createElement("ul");
      list.id = "findings-elsewhere";
      count.after(list);
    }
    list.replaceChildren.apply(list, findings.map(item));
  }

  function show(answer) {
    besideFields(answer.beside || {});
    elsewhere(answer.elsewhere || []);
    const words = answer.errors ? answer.errors + " problème(s) à corriger avant de soumettre."
      : "Aucun problème bloquant.";
    if (count.textContent !== words) count.textContent = words;
    window.kioskEditorChecks += 1;
  }

  async function check() {
    const mine = ++asked;
    if (pending) pending.abort();
    pending = new AbortController();
    const body = new FormData(form);
    body.set("op", "check");
    try {
      const reply = await fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json" }, signal: pending.signal });
      if (!reply.ok) return; /* a refusal is said when « Vérifier » posts the page */
      const answer = await reply.json();
      if (mine === asked) show(answer);
    } catch (err) {
      /* aborted by a newer check, or the server is out of reach: « Vérifier » still works */
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(check, PAUSE_MS);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("submit", function () { clearTimeout(timer); });
})();
