package dev.dea.sandbox;

/**
 * How busy the sandboxes are, without asking the Docker engine (cheap enough for every
 * metrics scrape).
 *
 * @param running executions holding a slot
 * @param queued  executions waiting for a slot
 * @param pooled  warm containers ready for an execution
 */
public record SandboxLoad(int running, int queued, int pooled) {
}
