// Starts the vendored Swagger UI on /api/docs (a static file: the Content-Security-Policy allows
// no inline script). The OpenAPI document's URL comes from the page.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
});
