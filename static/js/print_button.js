// Print buttons: any element marked data-print prints the page when clicked
// (instead of an inline onclick or a javascript: link, which a strict CSP refuses).
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-print]");
  if (!button) return;
  event.preventDefault();
  window.print();
});
