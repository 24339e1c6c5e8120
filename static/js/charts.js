// Draw every plotly figure on the page from its JSON island (see templates/partials/chart.html).
(function () {
  // plotly's default tool-button colour (grey at 30 %) is under the 3:1 that WCAG 1.4.11 asks
  // of icons; Bootstrap's secondary grey and the brand colour are above it on white.
  var MODEBAR = { color: "#6c757d", activecolor: "#0b5563" };

  // The drawn chart is one image named by its label; plotly's other SVG layers (hover
  // labels, drag handles) repeat it, so they are hidden from assistive technology.
  function describe(element) {
    element.querySelectorAll("svg.main-svg").forEach(function (svg, index) {
      if (index === 0) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", element.dataset.chartLabel || "Chart");
      } else {
        svg.setAttribute("aria-hidden", "true");
      }
    });
  }

  function draw(root) {
    root.querySelectorAll("[data-plotly-figure]").forEach(function (element) {
      if (element.dataset.drawn) return;
      var source = document.getElementById(element.dataset.plotlyFigure);
      if (!source || !window.Plotly) return;
      var figure = JSON.parse(source.textContent);
      var layout = figure.layout || {};
      layout.modebar = Object.assign({}, MODEBAR, layout.modebar);
      window.Plotly.newPlot(element, figure.data || [], layout, {
        responsive: true,
        displaylogo: false,
        // "Share chart" uploads the figure to Plotly's cloud: nothing here leaves the app.
        modeBarButtonsToRemove: ["lasso2d", "select2d", "sendChartToCloud"],
      }).then(function () { describe(element); });
      element.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // Charts arriving in htmx fragments are drawn too. The whole document is searched: after an
  // outerHTML swap the event's target is the element that was replaced, no longer on the page.
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
