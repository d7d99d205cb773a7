/* Starts the vendored Swagger UI on /api/v1/docs (src/kano/adapters/api/reference.py).
 * A file of its own, not an inline script, so the page runs under script-src 'self'.
 * validatorUrl: null keeps Swagger UI from asking validator.swagger.io about the document
 * (offline installs, connect-src 'self'). The Authorize button offers the bearer scheme
 * the OpenAPI declares, and "Try it out" sends "Authorization: Bearer <token>". */
"use strict";

window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    persistAuthorization: false,
    displayRequestDuration: true,
    filter: true,
    // Tags start folded: with every one of the ~140 operations open, Swagger UI 5.36.0
    // stopped rendering after the first tag in Chromium (seen 2026-12-07, 134+
    // operations); folded, each tag renders its operations when opened.
    docExpansion: "none",
  });
});
