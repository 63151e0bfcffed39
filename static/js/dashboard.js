/* The ops dashboard: draws each chart from the figures its page holds in a JSON block
   (<script type="application/json" id="chart-data-KEY">), with the vendored Chart.js. */
(function () {
  "use strict";
  var COLOURS = ["#2f6f9f", "#d9822b", "#3c9a5f", "#b5443b", "#7b5ea7", "#8c6d46", "#c75d9c", "#6b7b8c", "#a3a635", "#2fa3a3"];

  function number(value) {
    return value === null ? null : Number(value);
  }

  function draw(canvas) {
    var block = document.getElementById("chart-data-" + canvas.getAttribute("data-chart"));
    if (!block || typeof window.Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(block.textContent);
    var line = spec.type === "line";
    var datasets = spec.datasets.map(function (set, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: set.label,
        data: set.data.map(number),
        borderColor: colour,
        backgroundColor: line ? colour : colour + "cc",
        spanGaps: true,
        tension: 0,
        pointRadius: line ? 2 : 0
      };
    });
    var counts = datasets.every(function (set) {
      return set.data.every(function (v) { return v === null || Number.isInteger(v); });
    });
    var scales = {
      x: { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 60 } },
      y: {
        stacked: spec.stacked,
        beginAtZero: true,
        ticks: counts ? { precision: 0 } : {},
        title: { display: !!spec.yTitle, text: spec.yTitle }
      }
    };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "nearest", intersect: false },
        plugins: { legend: { position: "bottom" } },
        scales: scales
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
