// The marking workspace: keyboard shortcuts, the panel's focus after a swap, zoom on previews.
(() => {
  const root = document.getElementById("ws");
  if (!root) {
    return;
  }
  const help = document.getElementById("ws-help");
  const zoom = document.getElementById("ws-zoom");
  const zoomImg = document.getElementById("ws-zoom-img");
  const zoomTitle = document.getElementById("ws-zoom-title");

  // A refused decision (400) or a conflict (409) comes back as the panel with the reason in
  // it: swap it in like any other answer.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Keys pressed while a decision or a criterion is on its way wait for it, in order: "m"
  // then "j" saves this criterion and then moves on, however fast they come.
  let busy = 0;
  const waiting = [];
  // Only the requests that bring a panel count (not the previews loading inside it). Each is
  // done once its panel has settled, or shortly after its answer if no panel came.
  const finishers = [];
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const target = event.detail.target;
    if (!target || target.id !== "ws-panel") {
      return;
    }
    // Choosing the criterion already shown does not fetch it again: that would throw away a
    // decision or feedback being written in its panel.
    const source = event.detail.elt;
    if (source instanceof Element && source.classList.contains("ws-item") && source.dataset.pk === target.dataset.pk) {
      event.preventDefault();
      const heading = document.getElementById("ws-panel-title");
      if (heading) {
        heading.focus({ preventScroll: true });
      }
      return;
    }
    busy += 1;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        finishers.splice(finishers.indexOf(finish), 1);
        busy = Math.max(0, busy - 1);
        drain();
      }
    };
    finishers.push(finish);
    event.detail.xhr.addEventListener("loadend", () => window.setTimeout(finish, 150));
  });
  function drain() {
    while (busy === 0 && waiting.length) {
      const next = waiting.shift();
      const field = document.activeElement;
      if (field instanceof HTMLTextAreaElement && next.key.length === 1) {
        // A letter pressed after "f" (or "n") while the panel was still on its way was
        // meant as text: it goes into the feedback, not taken for a shortcut.
        field.setRangeText(next.key, field.selectionStart, field.selectionEnd, "end");
        field.dispatchEvent(new Event("input", { bubbles: true }));
      } else {
        next.action();
      }
    }
  }
  function run(key, action) {
    if (busy > 0) {
      waiting.push({ key, action });
    } else {
      action();
    }
  }

  function panel() {
    return document.getElementById("ws-panel");
  }

  function markCurrent() {
    const current = panel();
    const pk = current && current.dataset.pk;
    document.querySelectorAll(".ws-item").forEach((item) => {
      const on = item.dataset.pk === pk;
      item.classList.toggle("is-current", on);
      if (on) {
        item.setAttribute("aria-current", "true");
      } else {
        item.removeAttribute("aria-current");
      }
    });
    // Where the list scrolls on its own (beside the panel), keep the current criterion in it
    // in view; on a phone the list is below the panel and the page is left where it is.
    const list = document.getElementById("ws-list");
    const active = pk && document.getElementById(`ws-item-${pk}`);
    if (list && active && getComputedStyle(list).overflowY === "auto") {
      const top = active.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top + active.offsetHeight > list.scrollTop + list.clientHeight) {
        list.scrollTop = top - list.clientHeight / 3;
      }
    }
  }

  // After the panel is swapped the focus goes to its heading, so the next key press (or a
  // screen reader) starts from the criterion now shown.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (!(event.target instanceof Element) || event.target.id !== "ws-panel") {
      return;
    }
    markCurrent();
    const current = panel();
    const error = current.querySelector("[role=alert]");
    const invalid = current.querySelector(".is-invalid");
    const heading = document.getElementById("ws-panel-title");
    if (error && invalid) {
      invalid.focus();
    } else if (heading) {
      heading.focus({ preventScroll: true });
      const top = current.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight * 0.6) {
        current.scrollIntoView({ block: "start" });
      }
    }
    const finish = finishers.shift();
    if (finish) {
      finish();
    }
  });

  function typing(target) {
    if (!(target instanceof Element)) {
      return false;
    }
    return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']"));
  }

  function go(which) {
    const link = document.getElementById(which === "next" ? "ws-next" : "ws-prev");
    if (link) {
      link.click();
    }
  }

  function save(status) {
    const form = document.getElementById("ws-decision");
    if (!form) {
      return;
    }
    const radio = form.querySelector(`input[name=status][value=${status}]`);
    if (radio) {
      radio.checked = true;
    }
    const feedback = form.querySelector("textarea[name=feedback]");
    if (status === "not_yet_met" && feedback && !feedback.value.trim()) {
      feedback.focus();
      feedback.setAttribute("placeholder", "Say what is missing, then press Ctrl + Enter to save.");
      return;
    }
    form.requestSubmit();
  }

  function toggleHelp() {
    if (help.open) {
      help.close();
    } else {
      help.showModal();
    }
  }

  document.getElementById("ws-help-open").addEventListener("click", toggleHelp);

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.metaKey || event.isComposing) {
      return;
    }
    // Ctrl + Enter in the feedback saves the decision.
    if (event.ctrlKey) {
      if (event.key === "Enter" && event.target instanceof Element && event.target.closest("#ws-decision")) {
        event.preventDefault();
        // The focus leaves the feedback while the decision is saved, so keys pressed before the
        // answer comes ("j" to move on) are taken as shortcuts and wait for it, not typed.
        const heading = document.getElementById("ws-panel-title");
        if (heading) {
          heading.focus({ preventScroll: true });
        }
        document.getElementById("ws-decision").requestSubmit();
      }
      return;
    }
    if (zoom.open || (help.open && event.key !== "?")) {
      return;
    }
    if (typing(event.target)) {
      if (event.key === "Escape") {
        event.target.blur();
        const heading = document.getElementById("ws-panel-title");
        if (heading) {
          heading.focus({ preventScroll: true });
        }
      }
      return;
    }
    const canAssess = root.dataset.canAssess === "true";
    const actions = {
      j: () => go("next"),
      ArrowDown: () => go("next"),
      k: () => go("prev"),
      ArrowUp: () => go("prev"),
      "?": toggleHelp,
    };
    if (canAssess) {
      actions.m = () => save("met");
      actions.n = () => save("not_yet_met");
      actions.f = () => {
        const feedback = document.getElementById("ws-feedback");
        if (feedback) {
          feedback.focus();
        }
      };
    }
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      run(event.key, action);
    }
  });

  // Zoom: a preview is a button that opens the image at full size in a dialog; Esc or Close
  // shuts it and the focus returns to the button.
  let opener = null;
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest(".ws-zoomable");
    if (!button) {
      return;
    }
    opener = button;
    zoomImg.src = button.dataset.zoomSrc;
    zoomImg.alt = button.dataset.zoomTitle || "";
    zoomTitle.textContent = button.dataset.zoomTitle || "Enlarged";
    zoom.showModal();
  });
  zoom.addEventListener("close", () => {
    zoomImg.src = "data:,";
    if (opener) {
      opener.focus();
    }
  });

  markCurrent();
})();
