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

  // Logging in again (say in another tab, after the session ran out) replaces the CSRF
  // cookie: the form sends the current one, so a long form is not refused on saving.
  function freshToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    const input = form.querySelector("[name=csrfmiddlewaretoken]");
    if (match && input) input.value = decodeURIComponent(match[1]);
  }
  form.addEventListener("submit", freshToken);

  function notice(text) {
    const panel = document.getElementById("assessment-panel");
    const p = document.createElement("p");
    p.className = "notice";
    p.dataset.testid = "assessment-unavailable";
    p.textContent = text;
    panel.replaceChildren(p);
  }

  let timer = null;
  let latest = 0;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const ticket = ++latest;
      freshToken();
      let response = null;
      let html = "";
      try {
        response = await fetch(form.dataset.previewUrl, {
          method: "POST",
          body: new FormData(form),
          headers: { "X-Requested-With": "fetch" },
        });
        html = response.ok ? await response.text() : "";
      } catch (error) {
        response = null;
      }
      if (ticket !== latest) return;
      if (response && response.ok) {
        document.getElementById("assessment-panel").outerHTML = html;
      } else if (response && response.status === 403) {
        // Never leave an old verdict on screen for figures that have changed.
        notice("登录已过期，评估无法更新。请不要关闭本页：在新标签页重新登录后，回到本页继续填写并保存。");
      } else {
        notice("评估暂时无法更新（网络或服务器问题），稍后继续输入时会重试；保存时系统会重新评估。");
      }
    }, 350);
  }
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();
