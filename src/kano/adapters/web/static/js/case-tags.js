// Case page: the root-cause field suggests the workspace's tags for the tag being typed.
// A <datalist> matches the whole field, so after "ox:delivery-delay, " it would offer
// nothing; here each suggestion is written as the tags already typed plus one more (those
// already there left out). Without JavaScript the list still helps with the first tag.
(function () {
  "use strict";

  function wire() {
    var field = document.getElementById("root-causes");
    var list = document.getElementById("root-cause-suggestions");
    if (!field || !list) { return; }
    var tags = Array.prototype.map.call(list.options, function (option) {
      return option.value;
    });

    function offer() {
      var cut = field.value.lastIndexOf(",");
      var before = cut < 0 ? "" : field.value.slice(0, cut + 1) + " ";
      var typed = {};
      before.split(",").forEach(function (tag) {
        typed[tag.trim().replace(/\s+/g, " ").toLowerCase()] = true;
      });
      list.replaceChildren.apply(list, tags.filter(function (tag) {
        return !typed[tag.toLowerCase()];
      }).map(function (tag) {
        var option = document.createElement("option");
        option.value = before + tag;
        return option;
      }));
    }

    field.addEventListener("input", offer);
    field.addEventListener("focus", offer);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
