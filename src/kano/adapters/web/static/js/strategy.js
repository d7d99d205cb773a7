/* Kano strategy pages: small HTMX helpers; every form also works without them.
 *
 * A check-in that fails its checks is answered with HTTP 422 and the form showing the
 * problem; htmx does not swap error responses by default, so allow it for 422. After the
 * swap, keyboard focus returns to the key result the reader was working on.
 */
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The strategy session swaps its whole step: after a rejected form, focus the field to fix.
  document.addEventListener("htmx:afterSettle", function (event) {
    var step = event.detail.elt;
    if (!step || step.id !== "session-step") return;
    var invalid = step.querySelector("[aria-invalid='true']");
    if (invalid) invalid.focus();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var selector = source && source.getAttribute && source.getAttribute("hx-target");
    if (!selector || selector.indexOf("#kr-") !== 0) return;
    var item = document.querySelector(selector);
    if (!item) return;
    var focusable = item.querySelector("[aria-invalid='true'], .field-error + .field input, summary");
    if (focusable) focusable.focus();
  });
})();
