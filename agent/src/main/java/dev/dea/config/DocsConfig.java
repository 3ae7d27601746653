package dev.dea.config;

/**
 * The API reference: {@code GET /openapi.json} and the {@code /docs} page. Both are public
 * when enabled (they describe the API and hold no data or secrets); {@code DOCS_ENABLED=false}
 * removes them for operators who would rather not advertise the API.
 */
public record DocsConfig(boolean enabled) {
}
