// The first log-in's tour (templates/partials/tour.html): one step at a time, each pointing at
// its place in the layout; "Got it" or "Skip the tour" records it as seen, without a reload.
(function () {
  var panel = document.querySelector("[data-tour-panel]");
  if (!panel) return;
  var steps = Array.prototype.slice.call(panel.querySelectorAll("[data-tour-step]"));
  var form = panel.querySelector("[data-tour-form]");
  var back = panel.querySelector("[data-tour-back]");
  var next = panel.querySelector("[data-tour-next]");
  var finish = panel.querySelector("[data-tour-finish]");
  var skip = panel.querySelector("[data-tour-skip]");
  var count = panel.querySelector("[data-tour-count]");
  var current = 0;
  var marked = null;

  function visible(element) {
    return element && element.getClientRects().length > 0 && getComputedStyle(element).visibility !== "hidden";
  }

  function target(step) {
    var element = document.querySelector('[data-tour="' + step.dataset.tourStep + '"]');
    // On a phone the menu is folded: point at the button that opens it.
    return visible(element) ? element : document.querySelector('[data-tour="menu"]');
  }

  function show(index) {
    current = index;
    steps.forEach(function (step, i) { step.hidden = i !== index; });
    if (marked) marked.classList.remove("tour-target");
    marked = target(steps[index]);
    if (marked && marked.dataset.tour !== "main") marked.classList.add("tour-target");
    back.hidden = index === 0;
    next.hidden = index === steps.length - 1;
    finish.hidden = index !== steps.length - 1;
    count.textContent = "Step " + (index + 1) + " of " + steps.length;
  }

  function done(event) {
    event.preventDefault();
    var body = new FormData(form);
    fetch(form.action, { method: "POST", body: body, headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        if (marked) marked.classList.remove("tour-target");
        panel.remove();
        var main = document.getElementById("main");
        if (main) main.focus();
      })
      .catch(function () { form.submit(); });
  }

  panel.classList.add("tour-running");
  skip.hidden = false;
  back.addEventListener("click", function () { show(current - 1); next.focus(); });
  next.addEventListener("click", function () { show(current + 1); (next.hidden ? finish : next).focus(); });
  form.addEventListener("submit", done);
  show(0);
})();
