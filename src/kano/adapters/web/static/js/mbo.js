/* MBO sheet: the weighted score follows the weights and achievements as they are typed,
 * before they are saved (the server recomputes it on save; this is only a preview).
 *
 * Rows the reader may not change count with their saved weight and points (data-weight,
 * data-weighted). Numbers are read as people type them ("37,5" or "37.5") and written in
 * the page's language.
 */
(function () {
  "use strict";

  function parse(text) {
    var cleaned = String(text || "").replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (cleaned === "") return null;
    var value = Number(cleaned);
    return isFinite(value) ? value : NaN;
  }

  function update() {
    var table = document.querySelector("table.mbo-sheet");
    if (!table) return;
    var lang = document.documentElement.lang || "en";
    var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    var percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
    var totalWeight = 0, score = 0, valid = true;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var weightInput = row.querySelector(".mbo-weight");
      var achievementInput = row.querySelector(".mbo-achievement");
      if (!weightInput) {  // a row the reader may not change: its saved numbers
        totalWeight += Number(row.dataset.weight || 0);
        score += Number(row.dataset.weighted || 0);
        return;
      }
      var weight = parse(weightInput.value);
      var achievement = parse(achievementInput.value);
      if (weight === null || isNaN(weight) || isNaN(achievement)) { valid = false; return; }
      totalWeight += weight;
      var weighted = achievement === null ? null : weight * achievement / 100;
      if (weighted !== null) score += weighted;
      var cell = row.querySelector(".mbo-weighted");
      if (cell) cell.textContent = weighted === null ? "–" : number.format(weighted);
    });
    var weightCell = document.getElementById("mbo-total-weight");
    var scoreCell = document.getElementById("mbo-total-score");
    var headline = document.getElementById("mbo-score");
    var addsUp = valid && Math.abs(totalWeight - 100) < 1e-9;
    if (weightCell) weightCell.textContent = valid ? percent.format(totalWeight / 100) : "–";
    // the total is the weighted score itself, written as the headline writes it
    if (scoreCell) scoreCell.textContent = addsUp ? percent.format(score / 100) : "–";
    if (headline) headline.textContent = addsUp ? percent.format(score / 100) : "–";
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.classList &&
        (target.classList.contains("mbo-weight") || target.classList.contains("mbo-achievement"))) {
      update();
    }
  });
})();
