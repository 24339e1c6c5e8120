// Edit forms: drafts kept on the server while a person types, and the choices of the
// conflict panel (core/drafts.py, core/concurrency.py, templates/partials/edit_guard.html).
(() => {
  const DRAFT_DELAY_MS = 2000;

  const csrfToken = (form) => form.querySelector("input[name='csrfmiddlewaretoken']")?.value || "";

  const formData = (form) => {
    const data = new FormData(form);
    for (const [name, value] of [...data.entries()]) {
      if (value instanceof File) {
        data.delete(name);
      }
    }
    return data;
  };

  const fingerprint = (data) =>
    JSON.stringify([...data.entries()].filter(([name]) => !["csrfmiddlewaretoken", "draft_key"].includes(name)));

  const setField = (form, name, value) => {
    const element = form.elements.namedItem(name);
    if (!element) {
      return;
    }
    const values = Array.isArray(value) ? value : [value];
    const elements = element instanceof RadioNodeList ? [...element] : [element];
    for (const input of elements) {
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = values.includes(input.value);
      } else if (input instanceof HTMLSelectElement && input.multiple) {
        for (const option of input.options) {
          option.selected = values.includes(option.value);
        }
      } else if (input.type !== "file" && input.type !== "hidden") {
        input.value = values[0];
      }
    }
  };

  // Rows added on the page before the draft was kept are added again (by the page's own
  // "add a row" button, which numbers them as Django expects) before the text goes back.
  const addMissingRows = (form, fields) => {
    for (const [name, value] of Object.entries(fields)) {
      const match = name.match(/^(.+)-TOTAL_FORMS$/);
      const total = match && form.elements.namedItem(name);
      if (!total) {
        continue;
      }
      const prefix = match[1];
      const button = form.querySelector(
        `[data-add-row="${CSS.escape(prefix)}"], [data-formset-prefix="${CSS.escape(prefix)}"]`,
      );
      const wanted = Math.min(Number(value) || 0, 200);
      for (let guard = 0; button && Number(total.value) < wanted && guard < 200; guard += 1) {
        button.click();
      }
    }
  };

  const watchDrafts = (form, keyInput) => {
    const url = keyInput.dataset.draftUrl;
    const status = form.querySelector("[data-draft-status]");
    let timer = null;
    let dirty = false;
    let submitting = false;
    let lastSent = fingerprint(formData(form));

    const say = (text) => {
      if (status) {
        status.textContent = text;
      }
    };

    const send = async ({ beacon = false } = {}) => {
      clearTimeout(timer);
      const data = formData(form);
      const print = fingerprint(data);
      if (!dirty || print === lastSent) {
        return;
      }
      dirty = false;
      if (submitting) {
        // The server drops this if the save went through (its answer holds the text).
        data.append("after_submit", "1");
      }
      if (beacon && navigator.sendBeacon) {
        // The page is going away: the browser delivers this even after it has gone.
        if (navigator.sendBeacon(url, data)) {
          lastSent = print;
        }
        return;
      }
      try {
        const response = await fetch(url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "fetch" },
        });
        const answer = await response.json();
        if (response.ok) {
          lastSent = print;
          say(`Saved as draft ${answer.saved_at}`);
        } else {
          say(answer.error || "Your draft could not be kept; your text is still here.");
        }
      } catch {
        dirty = true;
        say("Your draft could not be kept just now; your text is still here.");
      }
    };

    form.addEventListener("input", () => {
      dirty = true;
      clearTimeout(timer);
      if (!submitting) {
        timer = setTimeout(send, DRAFT_DELAY_MS);
      }
    });
    form.addEventListener("change", () => {
      dirty = true;
    });
    // Nothing is sent while the save is on its way (two writes at once would contend for
    // the database); the page sends its draft as it is left, once the save has answered. If
    // the session had expired, that answer was the log-in page, and this draft is what
    // brings the text back after logging in.
    form.addEventListener("submit", () => {
      submitting = true;
      dirty = true;
      clearTimeout(timer);
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") {
        send({ beacon: true });
      }
    });
    window.addEventListener("pagehide", () => send({ beacon: true }));
  };

  const offerDraft = (form) => {
    const offer = form.querySelector("[data-draft-offer]");
    const source = document.getElementById("draft-fields");
    if (!offer || !source) {
      return;
    }
    offer.hidden = false;
    const status = form.querySelector("[data-draft-status]");
    offer.querySelector("[data-draft-restore]").addEventListener("click", () => {
      const fields = JSON.parse(source.textContent);
      addMissingRows(form, fields);
      for (const [name, value] of Object.entries(fields)) {
        setField(form, name, value);
      }
      // The draft was typed on an older version: a save checks against that one, so a
      // change saved since shows as a conflict instead of being overwritten.
      const base = offer.querySelector("[data-draft-base]")?.dataset.draftBase;
      const token = form.querySelector("[data-version-token]");
      if (base && token) {
        token.value = base;
      }
      offer.hidden = true;
      if (status) {
        status.textContent = "Your unsaved text is back in the form. Save to keep it.";
      }
    });
    const discard = offer.querySelector("[data-draft-discard]");
    discard.addEventListener("click", async () => {
      await fetch(discard.dataset.draftDiscard, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "fetch" },
      });
      offer.hidden = true;
      if (status) {
        status.textContent = "Unsaved text discarded.";
      }
    });
  };

  const conflictChoices = (form) => {
    const panel = form.querySelector("[data-conflict]");
    if (!panel) {
      return;
    }
    panel.focus();
    panel.addEventListener("click", (event) => {
      const item = event.target.closest("[data-conflict-field]");
      const choice = item?.querySelector("[data-conflict-choice]");
      const take = event.target.closest("[data-take-theirs]");
      if (take) {
        const input = document.getElementById(take.dataset.takeTheirs);
        if (input) {
          input.value = take.dataset.value;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }
        const toggle = take.dataset.toggle && document.getElementById(take.dataset.toggle);
        if (toggle) {
          toggle.checked = take.dataset.toggleOn === "1";
          toggle.dispatchEvent(new Event("change", { bubbles: true }));
        }
        if (choice) {
          choice.textContent = "Their version is now in the form.";
        }
      } else if (event.target.closest("[data-keep-mine]") && choice) {
        choice.textContent = "Your version stays in the form.";
      }
    });
  };

  for (const keyInput of document.querySelectorAll("form [data-draft-key]")) {
    const form = keyInput.form;
    watchDrafts(form, keyInput);
    offerDraft(form);
    conflictChoices(form);
  }
})();
