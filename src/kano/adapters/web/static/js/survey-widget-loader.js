/* Kano survey widget loader (/s/<survey>/widget.js, the URL of the pasted snippet): the
   survey's settings, in the respondent's language, and a queue entry for the widget code,
   which is loaded once per page from its content-hashed, long-cached URL. */
(function () {
  "use strict";
  var queue = window.KanoWidgetQueue = window.KanoWidgetQueue || [];
  queue.push([__KANO_CONFIG__, document.currentScript]);
  if (window.KanoWidget) { window.KanoWidget.drain(); return; }
  if (window.KanoWidgetLoading) { return; }
  window.KanoWidgetLoading = true;
  var code = document.createElement("script");
  code.src = __KANO_SCRIPT__;
  code.async = true;
  (document.head || document.documentElement).appendChild(code);
})();
