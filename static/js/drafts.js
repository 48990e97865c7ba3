// Drafts that survive a lost connection, for every <form data-draft="name">.
//
// What is typed is kept on the device (localStorage) under
// "mq-draft:<name>:<path>", restored when the page is opened again, and a form submitted
// while offline is held and sent by itself when the connection returns. The form's hidden
// idempotency_key is part of the draft, so a resend is recognised by the server and never
// stored twice. A page carrying <... data-draft-clear="name"> (shown after a successful
// save) forgets every draft of that name. No dependencies; the forms work without it.
(() => {
  "use strict";
  const PREFIX = "mq-draft:";
  const KEY_FIELD = "idempotency_key";

  const store = {
    get(key) {
      try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
    },
    set(key, value) {
      try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or blocked */ }
    },
    clear(name) {
      try {
        const start = PREFIX + name + ":";
        Object.keys(localStorage).filter((k) => k.startsWith(start))
          .forEach((k) => localStorage.removeItem(k));
      } catch (e) { /* storage blocked: nothing was kept either */ }
    },
  };

  // The fields worth keeping: never files, buttons, the CSRF token or other hidden inputs.
  function kept(el) {
    if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken") return false;
    const type = (el.type || "").toLowerCase();
    if (["file", "password", "submit", "button", "reset", "image"].includes(type)) return false;
    return type !== "hidden" || el.name === KEY_FIELD;
  }

  function collect(form) {
    const fields = {};
    for (const el of form.elements) {
      if (!kept(el)) continue;
      if (el.type === "checkbox") {
        fields[el.name] = fields[el.name] || [];
        if (el.checked) fields[el.name].push(el.value);
      } else if (el.type === "radio") {
        if (el.checked) fields[el.name] = el.value;
      } else if (el.type === "select-multiple") {
        fields[el.name] = Array.from(el.selectedOptions, (o) => o.value);
      } else {
        fields[el.name] = el.value;
      }
    }
    return fields;
  }

  // What the user typed, leaving out the draft's own key (a fresh page has a fresh one).
  function typed(fields) {
    return JSON.stringify(Object.assign({}, fields, { [KEY_FIELD]: null }));
  }

  function restore(form, fields) {
    for (const el of form.elements) {
      if (!kept(el) || !(el.name in fields)) continue;
      const value = fields[el.name];
      if (el.type === "checkbox") el.checked = [].concat(value).includes(el.value);
      else if (el.type === "radio") el.checked = el.value === value;
      else if (el.type === "select-multiple") {
        for (const o of el.options) o.selected = [].concat(value).includes(o.value);
      } else el.value = value;
    }
  }

  // One notice per form, created here so pages without JavaScript show nothing stale.
  function notice(form, text, kind) {
    let box = form.querySelector(".mq-draft-notice");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "status");
      form.prepend(box);
    }
    box.className = "mq-draft-notice alert alert-" + kind;
    box.textContent = text;
  }

  function setUp(form) {
    const key = PREFIX + form.dataset.draft + ":" + location.pathname;
    const saved = store.get(key);
    if (saved && saved.fields) {
      // Say so only when the draft brought back something the page did not already show
      // (after "查找" the server re-renders exactly what was typed).
      const before = typed(collect(form));
      restore(form, saved.fields);
      if (typed(collect(form)) !== before) notice(form, "已恢复本机保存的草稿", "info");
    }
    const save = () => store.set(key, { at: Date.now(), fields: collect(form) });
    form.addEventListener("input", save);
    form.addEventListener("change", save);

    let waiting = false;
    form.addEventListener("submit", (event) => {
      save();
      if (navigator.onLine !== false) return; // online: submit as usual
      event.preventDefault();
      notice(form, "网络已断开：草稿已保存在本机，联网后会自动提交", "warning");
      if (waiting) return;
      waiting = true;
      const submitter = event.submitter || null; // keep which button was pressed
      window.addEventListener("online", () => {
        waiting = false;
        if (form.requestSubmit) form.requestSubmit(submitter);
        else form.submit();
      }, { once: true });
    });
  }

  document.querySelectorAll("[data-draft-clear]").forEach((el) => store.clear(el.dataset.draftClear));
  document.querySelectorAll("form[data-draft]").forEach(setUp);
})();
