// The observation form's criteria: a filter box hides the rows that do not match, and
// writing a note ticks its criterion (the note is what the record says against it).
(function () {
  "use strict";
  const filter = document.querySelector("[data-record-filter]");
  const rows = Array.from(document.querySelectorAll("[data-record-row]"));
  if (filter) {
    filter.addEventListener("input", function () {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      rows.forEach(function (row) {
        const text = row.getAttribute("data-record-row");
        const ticked = row.querySelector("input[type=checkbox]").checked;
        row.hidden = !ticked && !words.every(function (w) { return text.includes(w); });
      });
    });
  }
  rows.forEach(function (row) {
    const box = row.querySelector("input[type=checkbox]");
    const note = row.querySelector("textarea");
    note.addEventListener("input", function () {
      if (note.value.trim()) box.checked = true;
    });
  });
})();
