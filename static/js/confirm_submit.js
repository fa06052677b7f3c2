// Forms marked data-confirm="…" ask that question before they are sent: cancelling the
// dialog keeps the form unsent (instead of an inline onsubmit, which a strict CSP refuses).
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});
