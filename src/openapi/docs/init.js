// Swagger UI for /openapi.json. A file of its own (no inline script), so the CSP keeps `script-src 'self'`;
// validatorUrl null keeps the page from calling validator.swagger.io: it makes no request beyond this service.
window.ui = window.SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  validatorUrl: null,
  deepLinking: true,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
