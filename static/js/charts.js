// Draw every plotly figure on the page from its JSON island (see templates/partials/chart.html).
(function () {
  function draw(root) {
    root.querySelectorAll("[data-plotly-figure]").forEach(function (element) {
      if (element.dataset.drawn) return;
      var source = document.getElementById(element.dataset.plotlyFigure);
      if (!source || !window.Plotly) return;
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["lasso2d", "select2d"],
      });
      element.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // Charts arriving in htmx fragments are drawn too. The whole document is searched: after an
  // outerHTML swap the event's target is the element that was replaced, no longer on the page.
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
