// The questioning form: the answer boxes are for questions asked in person, so they show
// only while that way of answering is chosen (without JavaScript they always show).
(function () {
  "use strict";
  const radios = Array.from(document.querySelectorAll("input[name=mode]"));
  const answers = Array.from(document.querySelectorAll("[data-in-person-answer]"));
  if (!radios.length || !answers.length) return;
  function update() {
    const chosen = radios.find(function (r) { return r.checked; });
    const inPerson = chosen && chosen.value === "in_person";
    answers.forEach(function (box) { box.hidden = !inPerson; });
  }
  radios.forEach(function (r) { r.addEventListener("change", update); });
  update();
})();
