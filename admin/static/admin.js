// Small helpers only; every page works without this file (plain forms and links).
"use strict";
document.addEventListener("submit", (event) => {
  // Forms that change something hard to undo ask once more.
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("change", (event) => {
  // A select marked data-autosubmit sends its form (the language switch, filters).
  if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
});
// A page marked data-refresh (a broadcast being sent) reloads itself while work goes on.
const refresh = document.body.getAttribute("data-refresh");
if (refresh) window.setTimeout(() => window.location.reload(), Number(refresh) * 1000);
// A poll's tally (data-tally) follows the members' answers as they come in.
const tally = document.querySelector("[data-tally]");
if (tally) {
  const update = async () => {
    const response = await fetch(tally.getAttribute("data-tally"), { credentials: "same-origin" });
    if (!response.ok) return;
    const found = await response.json();
    if (!found.poll) return;
    for (const slot of found.slots) {
      for (const answer of ["yes", "maybe", "no"]) {
        const cell = tally.querySelector(`[data-slot="${slot.position}"] [data-count="${answer}"]`);
        if (cell) cell.textContent = slot[answer];
      }
      const row = tally.querySelector(`[data-slot="${slot.position}"]`);
      if (row) row.classList.toggle("best", slot.position === found.best);
    }
    const answered = tally.querySelector("[data-answered]");
    if (answered) answered.textContent = `${found.answered} / ${found.members}`;
  };
  window.setInterval(update, 10000);
}
// A saved reply chosen (data-fills) is put in the message box, to send as it is or edited.
document.addEventListener("change", (event) => {
  const target = event.target.getAttribute && event.target.getAttribute("data-fills");
  if (!target) return;
  const box = document.getElementById(target);
  const option = event.target.selectedOptions[0];
  if (box && option && option.getAttribute("data-text") !== null) box.value = option.getAttribute("data-text");
});
// What was typed in a form survives a session that ended or a form opened before signing in
// again: kept in this tab when it is sent, put back when the server sends the page back
// with ?kept=1 or ?stale=1 (never passwords, tokens or files).
const DRAFT_HOURS = 2;
const draftKey = (form) => `draft:${window.location.pathname}:${form.getAttribute("action") || ""}`;
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") return;
  const action = form.getAttribute("action") || "";
  if (/\/admin\/(login|logout|language)/.test(action)) return;
  const fields = [];
  for (const element of form.elements) {
    if (!element.name || element.name === "csrf" || ["password", "file", "hidden", "submit"].includes(element.type)) continue;
    if (element.type === "checkbox" || element.type === "radio") fields.push([element.name, element.value, element.checked]);
    else if (element.tagName === "SELECT" && element.multiple) fields.push([element.name, [...element.selectedOptions].map((o) => o.value), null]);
    else fields.push([element.name, element.value, null]);
  }
  try { window.sessionStorage.setItem(draftKey(form), JSON.stringify({ at: Date.now(), fields })); } catch (_) { /* storage full or off */ }
});
if (document.querySelector("[data-draft-note]")) {
  for (const form of document.querySelectorAll("form")) {
    let saved = null;
    try { saved = JSON.parse(window.sessionStorage.getItem(draftKey(form)) || "null"); } catch (_) { saved = null; }
    if (!saved || Date.now() - saved.at > DRAFT_HOURS * 3600 * 1000) continue;
    for (const [name, value, checked] of saved.fields) {
      for (const element of form.elements) {
        if (element.name !== name) continue;
        if (element.type === "checkbox" || element.type === "radio") { if (element.value === value) element.checked = checked; }
        else if (element.tagName === "SELECT" && element.multiple) { for (const o of element.options) o.selected = value.includes(o.value); }
        else element.value = value;
      }
    }
    window.sessionStorage.removeItem(draftKey(form));
  }
}
