// The application form: add household members, and show the assessment live as the
// caseworker types (the server runs the same engine that saving uses).
(function () {
  const form = document.getElementById("case-form");
  if (!form) return;

  const total = form.querySelector("#id_members-TOTAL_FORMS");
  document.getElementById("add-member").addEventListener("click", function () {
    const html = document.getElementById("member-template").innerHTML
      .replace(/__prefix__/g, total.value);
    document.querySelector("#members tbody").insertAdjacentHTML("beforeend", html);
    total.value = String(Number(total.value) + 1);
    refresh();
  });

  let timer = null;
  let latest = 0;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const ticket = ++latest;
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
      });
      if (!response.ok || ticket !== latest) return;
      document.getElementById("assessment-panel").outerHTML = await response.text();
    }, 350);
  }
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();
