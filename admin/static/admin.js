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
