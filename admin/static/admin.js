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
