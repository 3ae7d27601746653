package dev.dea.sandbox;

/**
 * How busy the sandboxes are, without asking the backend (cheap enough for every metrics
 * scrape).
 *
 * @param running        executions holding a slot
 * @param queued         executions waiting for a slot
 * @param pooled         warm sandboxes (containers or pods) ready for an execution
 * @param servedFromPool executions since start served by a warm sandbox
 * @param servedCold     executions since start that started their own sandbox (pool off or empty)
 */
public record SandboxLoad(int running, int queued, int pooled, long servedFromPool, long servedCold) {

    public SandboxLoad(int running, int queued, int pooled) {
        this(running, queued, pooled, 0, 0);
    }
}
