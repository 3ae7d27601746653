// Renders the agent's own /openapi.json. Every URL is relative, so the page also works behind a
// reverse proxy that serves the agent under a path prefix; nothing is loaded from elsewhere.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The default validator badge would send the document to an outside service.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    docExpansion: 'list'
  });
});
