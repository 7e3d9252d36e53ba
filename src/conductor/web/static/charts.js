/* Draws every <canvas data-chart="..."> (a Chart.js configuration as JSON) that the page or an
   htmx swap brings in. A configuration with "money": true shows its values as dollars. */
(function () {
  "use strict";
  var dollars = new Intl.NumberFormat("en-US", {style: "currency", currency: "USD", maximumFractionDigits: 0});
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.color = "#6b7385";

  function asMoney(config) {
    var options = config.options = config.options || {};
    options.scales = options.scales || {};
    options.scales.y = options.scales.y || {};
    options.scales.y.ticks = Object.assign({}, options.scales.y.ticks, {callback: function (v) { return dollars.format(v); }});
    options.plugins = options.plugins || {};
    options.plugins.tooltip = {callbacks: {label: function (item) { return dollars.format(item.parsed.y); }}};
  }

  function draw(canvas) {
    if (canvas.dataset.drawn) { return; }
    canvas.dataset.drawn = "1";
    var config = JSON.parse(canvas.dataset.chart);
    if (config.money) { asMoney(config); }
    delete config.money;
    new Chart(canvas, config);
  }

  htmx.onLoad(function (root) {
    if (root.matches && root.matches("canvas[data-chart]")) { draw(root); }
    if (root.querySelectorAll) { root.querySelectorAll("canvas[data-chart]").forEach(draw); }
  });
})();
