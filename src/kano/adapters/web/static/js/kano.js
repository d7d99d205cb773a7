/* Kano web UI: progressive enhancement only; every page works without it.
 *
 * Charts: a container with data-vega-spec="ID" is drawn from the Vega-Lite spec in the
 * <script type="application/json" id="ID"> block. `ast: true` makes vega-embed use its
 * bundled expression interpreter, so the Content-Security-Policy needs no 'unsafe-eval'.
 * Vega-Lite writes ARIA labels on marks, axes and legends itself, in English and with raw
 * field names ("month: …", "X-axis for a discrete scale with 12 values"), even on a
 * Russian or Hungarian page; they are turned off (`aria: false`). Every chart container
 * is role="img" with a translated aria-label, and its data table sits beside it.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function drawCharts(root) {
    if (typeof window.vegaEmbed !== "function") return;
    root.querySelectorAll("[data-vega-spec]").forEach(function (container) {
      if (container.dataset.chartState) return;
      var source = document.getElementById(container.dataset.vegaSpec);
      if (!source) return;
      container.dataset.chartState = "drawing";
      window.vegaEmbed(container, JSON.parse(source.textContent), {
        ast: true,
        renderer: "svg",
        actions: false,
        defaultStyle: false,
        config: { aria: false },
        tooltip: { disableDefaultStyle: true, theme: "kano" }
      }).then(function () {
        container.dataset.chartState = "drawn";
      }).catch(function (error) {
        container.dataset.chartState = "failed";
        console.error("Kano: chart failed", error);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:load", function (event) { drawCharts(event.detail.elt); });
})();
