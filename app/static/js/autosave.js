// Chainlight supplier portal: save each answer as it changes (loaded by portal/assessment.html).
//
// The page works without this file (each section is a form with Save buttons). With it:
// - every answer is sent to the JSON endpoint on change (text after ~800 ms of quiet),
//   with the version it was based on; the reply updates progress and shows or hides
//   conditional questions;
// - a 409 "conflict" never overwrites: the person chooses "Keep theirs" or "Use yours";
// - pending saves are flushed before a link leaves the page, and with
//   fetch(keepalive) (or navigator.sendBeacon) when the tab is hidden or closed; the
//   section form's own buttons send the whole section at once.
(() => {
  "use strict";

  const form = document.getElementById("answer-form");
  if (!form || !form.dataset.autosaveUrl) return;

  const TEXT_DELAY = 800;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const maxBytes = Number(form.dataset.maxBytes || 0);
  const pageAlert = form.querySelector("[data-page-alert]");
  const states = new Map();
  let closed = false;
  let submitting = false; // the section form is being sent: it carries every answer itself

  const keepaliveSupported = (() => {
    try {
      return "keepalive" in new Request("", { keepalive: true });
    } catch (error) {
      return false;
    }
  })();

  const urlFor = (key) => form.dataset.autosaveUrl.replace("__KEY__", encodeURIComponent(key));
  const questions = () => Array.from(form.querySelectorAll("[data-question]"));

  function stateOf(key) {
    if (!states.has(key)) {
      states.set(key, { timer: null, inflight: null, dirty: false, failed: false, conflict: null, retry: 0 });
    }
    return states.get(key);
  }

  function versionInput(box) {
    return box.querySelector("input[data-version]");
  }

  function setStatus(box, text, kind) {
    const status = box.querySelector("[data-save-status]");
    if (!status) return;
    status.textContent = text;
    status.classList.remove("text-success", "text-danger", "text-muted");
    status.classList.add(kind === "ok" ? "text-success" : kind === "error" ? "text-danger" : "text-muted");
  }

  function setError(box, message) {
    const error = box.querySelector("[data-error]");
    if (error) error.textContent = message || "";
    box.querySelectorAll('[data-answer="value"]').forEach((input) => {
      input.classList.toggle("is-invalid", Boolean(message));
    });
  }

  function showPageAlert(message) {
    if (!pageAlert) return;
    pageAlert.textContent = message;
    pageAlert.hidden = false;
  }

  function collect(box) {
    const type = box.dataset.type;
    const inputs = Array.from(box.querySelectorAll('[data-answer="value"]'));
    let value = null;
    if (type === "multiple_choice") {
      value = inputs.filter((i) => i.checked).map((i) => i.value);
    } else if (type === "ynp" || type === "single_choice") {
      const chosen = inputs.find((i) => i.checked);
      value = chosen ? chosen.value : null;
    } else if (type !== "file" && inputs.length) {
      value = inputs[0].value;
    }
    const comment = box.querySelector('[data-answer="comment"]');
    return {
      value,
      comment: comment ? comment.value : "",
      version: Number(versionInput(box).value || 0),
    };
  }

  function applyValue(box, value, comment) {
    const inputs = Array.from(box.querySelectorAll('[data-answer="value"]'));
    const chosen = Array.isArray(value) ? value : [value];
    inputs.forEach((input) => {
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = chosen.includes(input.value);
      } else {
        input.value = value === null || value === undefined ? "" : String(value);
      }
    });
    const commentBox = box.querySelector('[data-answer="comment"]');
    if (commentBox) commentBox.value = comment || "";
  }

  function sectionCountText(p) {
    if (p.required === 0) return "optional";
    return p.done >= p.required ? `✓ ${p.done}/${p.required}` : `${p.done}/${p.required}`;
  }

  function applyState(data) {
    const p = data.progress;
    document.querySelectorAll("[data-progress]").forEach((bar) => {
      bar.setAttribute("aria-valuenow", String(p.percent));
      bar.setAttribute("aria-valuetext", `${p.done} of ${p.required} required questions answered`);
      const fill = bar.querySelector("[data-progress-fill]");
      if (fill) fill.setAttribute("width", `${p.percent}%`);
      const text = bar.parentElement.querySelector("[data-progress-text]");
      if (text) text.textContent = `Answered ${p.done} of ${p.required} required`;
    });
    Object.entries(data.sections || {}).forEach(([key, sp]) => {
      document.querySelectorAll(`[data-section-count="${CSS.escape(key)}"]`).forEach((badge) => {
        const complete = sp.done >= sp.required;
        badge.classList.toggle("text-bg-success", complete);
        badge.classList.toggle("text-bg-light", !complete);
        badge.classList.toggle("border", !complete);
        const count = badge.querySelector("[data-count]");
        if (count) count.textContent = sectionCountText(sp);
      });
      document.querySelectorAll(`[data-section-summary="${CSS.escape(key)}"] [data-count]`).forEach((count) => {
        count.textContent = sectionCountText(sp);
      });
    });
    const visible = new Set(data.visible || []);
    questions().forEach((box) => {
      const show = visible.has(box.dataset.question);
      if (box.hidden === show) {
        box.hidden = !show;
        box.disabled = !show;
      }
    });
    if (data.status_label) {
      document.querySelectorAll("[data-status-badge]").forEach((badge) => {
        badge.textContent = data.status_label;
      });
    }
  }

  function showConflict(box, current) {
    const key = box.dataset.question;
    const st = stateOf(key);
    st.conflict = current;
    const panel = box.querySelector("[data-conflict]");
    if (!panel) return;
    panel.querySelector("[data-conflict-value]").textContent = current.display;
    const hint = panel.querySelector("[data-conflict-hint]");
    if (hint) hint.textContent = "Your answer is still shown below and was not saved.";
    panel.hidden = false;
    setStatus(box, "Not saved: changed elsewhere", "error");
  }

  function hideConflict(box) {
    const panel = box.querySelector("[data-conflict]");
    if (panel) panel.hidden = true;
  }

  function retryLater(box) {
    const st = stateOf(box.dataset.question);
    st.retry = Math.min(st.retry + 1, 5);
    clearTimeout(st.timer);
    st.timer = setTimeout(() => send(box), 1000 * 2 ** st.retry);
  }

  async function handle(box, response) {
    const st = stateOf(box.dataset.question);
    if (response.type === "opaqueredirect" || response.status === 401) {
      st.dirty = true;
      st.failed = true;
      setStatus(box, "Not saved: your session ended", "error");
      showPageAlert("Your session ended, so answers are not being saved. Log in again in another tab, then come back: what you typed is still here.");
      return;
    }
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = {};
    }
    if (response.ok) {
      st.failed = false;
      st.retry = 0;
      versionInput(box).value = String(data.version);
      setError(box, "");
      hideConflict(box);
      setStatus(box, data.changed === false ? "Saved (no change)" : "Saved", "ok");
      applyState(data);
    } else if (response.status === 409 && data.error === "conflict") {
      showConflict(box, data.current);
    } else if (response.status === 409 && data.error === "closed") {
      closed = true;
      st.failed = true;
      setStatus(box, "Not saved", "error");
      showPageAlert(data.message || "This questionnaire can no longer be changed. Reload the page.");
    } else if (response.status === 400) {
      st.failed = true;
      setError(box, data.message || data.error || "This answer was not saved.");
      setStatus(box, "Not saved", "error");
    } else {
      st.failed = true;
      st.dirty = true;
      setStatus(box, `Not saved (error ${response.status}); trying again…`, "error");
      retryLater(box);
    }
  }

  function beacon(box) {
    const body = collect(box);
    const data = new FormData();
    data.append("csrf_token", csrf);
    (Array.isArray(body.value) ? body.value : [body.value === null ? "" : body.value]).forEach((v) => data.append("value", v));
    data.append("comment", body.comment);
    data.append("version", String(body.version));
    return navigator.sendBeacon(urlFor(box.dataset.question), data);
  }

  async function send(box, options = {}) {
    const key = box.dataset.question;
    const st = stateOf(key);
    clearTimeout(st.timer);
    st.timer = null;
    if (st.inflight) {
      st.dirty = true;
      return st.inflight;
    }
    if (!st.dirty || st.conflict || closed) return undefined;
    if (options.keepalive && !keepaliveSupported && navigator.sendBeacon) {
      if (beacon(box)) st.dirty = false;
      return undefined;
    }
    st.dirty = false;
    const body = collect(box);
    setStatus(box, "Saving…", "muted");
    st.inflight = (async () => {
      let response;
      try {
        response = await fetch(urlFor(key), {
          method: "POST",
          credentials: "same-origin",
          redirect: "manual",
          keepalive: Boolean(options.keepalive),
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": csrf,
          },
          body: JSON.stringify(body),
        });
      } catch (error) {
        st.dirty = true;
        st.failed = true;
        setStatus(box, "Not saved: no connection; trying again…", "error");
        retryLater(box);
        return;
      }
      await handle(box, response);
    })();
    try {
      await st.inflight;
    } finally {
      st.inflight = null;
    }
    if (st.dirty && !st.conflict && !closed && !st.timer) return send(box);
    return undefined;
  }

  function schedule(box, delay) {
    const st = stateOf(box.dataset.question);
    st.dirty = true;
    clearTimeout(st.timer);
    setStatus(box, "Unsaved changes…", "muted");
    st.timer = setTimeout(() => send(box), delay);
  }

  function pending() {
    return Array.from(states.values()).some((st) => st.dirty || st.timer || st.inflight);
  }

  function flushAll(keepalive) {
    const work = questions()
      .filter((box) => {
        const st = states.get(box.dataset.question);
        return st && (st.dirty || st.timer || st.inflight);
      })
      .map((box) => send(box, { keepalive }));
    return Promise.all(work);
  }

  // Answer inputs: radios and checkboxes save at once, typing after a pause.
  form.addEventListener("input", (event) => {
    const input = event.target.closest("[data-answer]");
    if (!input) return;
    const box = input.closest("[data-question]");
    if (input.type === "radio" || input.type === "checkbox" || input.type === "date") return;
    schedule(box, TEXT_DELAY);
  });
  form.addEventListener("change", (event) => {
    const input = event.target.closest("[data-answer]");
    if (!input) return;
    schedule(input.closest("[data-question]"), 0);
  });

  // Conflict choices.
  form.addEventListener("click", (event) => {
    const keep = event.target.closest("[data-conflict-keep]");
    const mine = event.target.closest("[data-conflict-mine]");
    const confirmButton = event.target.closest("button[data-confirm]");
    if (keep || mine) {
      const box = (keep || mine).closest("[data-question]");
      const st = stateOf(box.dataset.question);
      if (!st.conflict) return; // a conflict drawn by the server: the link and button work as they are
      event.preventDefault();
      const current = st.conflict;
      st.conflict = null;
      versionInput(box).value = String(current.version);
      hideConflict(box);
      if (keep) {
        applyValue(box, current.value, current.comment);
        st.dirty = false;
        st.failed = false;
        setError(box, "");
        setStatus(box, "Their answer is kept", "ok");
      } else {
        st.dirty = true;
        send(box);
      }
      return;
    }
    if (confirmButton && !window.confirm(confirmButton.dataset.confirm)) event.preventDefault();
  });

  // Buttons of the section form (save, upload, remove) send every answer of the section
  // themselves, so the form goes at once: pending autosaves of its questions are dropped
  // (an autosave still in flight carries the same answer; the server treats the repeat as
  // no change). A file over the limit is refused before it is sent.
  form.addEventListener("submit", (event) => {
    const tooBig = Array.from(form.querySelectorAll('input[type="file"]')).find(
      (input) => maxBytes && input.files && input.files[0] && input.files[0].size > maxBytes,
    );
    if (tooBig) {
      event.preventDefault();
      const box = tooBig.closest("[data-question]");
      const mb = (maxBytes / 1024 / 1024).toFixed(0);
      if (box) setError(box, `The file is larger than ${mb} MB.`);
      tooBig.focus();
      return;
    }
    submitting = true;
    questions().forEach((box) => {
      const st = states.get(box.dataset.question);
      if (!st || box.disabled) return; // a question hidden meanwhile is not in the form
      clearTimeout(st.timer);
      st.timer = null;
      st.dirty = false;
    });
  });

  // Links that leave the page wait for pending saves.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || link.target || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    if (!pending()) return;
    event.preventDefault();
    flushAll(false).then(() => {
      window.location.href = link.href;
    });
  });

  // Leaving or hiding the tab: send what is pending without waiting for replies.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushAll(true);
  });
  window.addEventListener("pagehide", () => flushAll(true));
  window.addEventListener("online", () => flushAll(false));
  window.addEventListener("beforeunload", (event) => {
    const unsaved = Array.from(states.values()).some((st) => st.failed || st.conflict);
    if (unsaved && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
