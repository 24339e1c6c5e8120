// Evidence pages: add transcript message rows; filter and expand the criteria picker.
(() => {
  // --- Transcript: "Add a message" clones the formset's empty row. ---
  const addButton = document.getElementById("add-message");
  if (addButton) {
    const prefix = addButton.dataset.formsetPrefix;
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const rows = document.getElementById("message-rows");
    const template = document.getElementById("message-row-template");
    addButton.addEventListener("click", () => {
      const index = Number(total.value);
      const html = template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__number__", String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const added = rows.lastElementChild;
      const first = added && added.querySelector("select, input, textarea");
      if (first) first.focus();
    });
  }

  // --- Picker: a search box hides criteria (or items) that do not match. ---
  const search = document.getElementById("picker-search");
  if (search) {
    const rows = Array.from(document.querySelectorAll("[data-search]"));
    const count = document.getElementById("picker-count");
    const filter = () => {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      rows.forEach((row) => {
        const text = row.dataset.search;
        const match = words.every((word) => text.includes(word));
        row.hidden = !match;
        if (match) shown += 1;
      });
      document.querySelectorAll("[data-picker-group]").forEach((group) => {
        group.hidden = !group.querySelector("[data-search]:not([hidden])");
      });
      if (count) count.textContent = `${shown} shown`;
    };
    search.addEventListener("input", filter);
  }

  // --- Picker: the note opens when a criterion is ticked; linked criteria are pointed out. ---
  document.querySelectorAll("[data-picker-toggle]").forEach((box) => {
    const note = document.getElementById(box.dataset.pickerToggle);
    const sync = () => {
      if (note) note.hidden = !box.checked;
      (box.dataset.linked || "").split(/\s+/).filter(Boolean).forEach((id) => {
        const hint = document.getElementById(`linked-hint-${id}`);
        if (hint) hint.hidden = !box.checked && !document.querySelector(`[data-linked~="${id}"]:checked`);
      });
    };
    box.addEventListener("change", sync);
    sync();
  });
})();

// Coverage: bars take their width from data (no inline styles under the CSP); gaps-only switch.
(() => {
  document.querySelectorAll(".coverage-bar[data-percent]").forEach((bar) => {
    bar.style.width = `${Number(bar.dataset.percent)}%`;
  });
  const gapsOnly = document.getElementById("gaps-only");
  if (gapsOnly) {
    gapsOnly.addEventListener("change", () => {
      document.querySelectorAll(".coverage-row").forEach((row) => {
        row.hidden = gapsOnly.checked && row.dataset.status === "evidenced";
      });
    });
  }
})();
