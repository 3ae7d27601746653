package dev.dea.mcp;

import dev.dea.artifact.ArtifactStore;
import dev.dea.cache.FrameCache;
import dev.dea.datasource.Datasources;
import dev.dea.execute.ExecutionService;
import dev.dea.upload.Uploads;

import java.time.Duration;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * What the MCP server uses of the agent, and nothing more: the same services the matching HTTP
 * routes receive, so the tools cannot reach around them.
 *
 * @param sandboxAbort   stops the sandbox a cancelled call's thread is running, if any
 * @param maxPreviewRows the agent's preview limit (SQL_MAX_PREVIEW_ROWS); the tools cap it lower
 * @param maxRequestBytes the largest JSON-RPC request accepted (MAX_REQUEST_BYTES)
 * @param callTimeout    the SDK's own request timeout, a backstop behind the services' limits
 */
public record McpServices(Datasources datasources, ExecutionService execution, FrameCache cache, Uploads uploads,
                          ArtifactStore artifacts, Predicate<Thread> sandboxAbort, int maxPreviewRows,
                          long maxRequestBytes, Duration callTimeout) {
    public McpServices {
        requireNonNull(datasources, "datasources");
        requireNonNull(execution, "execution");
        requireNonNull(cache, "cache");
        requireNonNull(uploads, "uploads");
        requireNonNull(artifacts, "artifacts");
        requireNonNull(sandboxAbort, "sandboxAbort");
        requireNonNull(callTimeout, "callTimeout");
        if (maxPreviewRows < 0 || maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxPreviewRows must be >= 0 and maxRequestBytes > 0");
        }
    }
}
