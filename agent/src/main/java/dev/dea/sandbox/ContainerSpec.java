package dev.dea.sandbox;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Ulimit;
import dev.dea.config.SandboxConfig;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The sandbox container as the engine is asked to create it: every isolation setting in one
 * place. deploy/docker-proxy/haproxy.cfg refuses a create that differs in the fields it checks,
 * so a change here needs the same change there (deploy/check-agent.sh sends this shape).
 */
final class ContainerSpec {
    /** The image's unprivileged user (build-offline.sh / Dockerfile create it). */
    static final String SANDBOX_USER = "10001:10001";
    private static final long MIB = 1024L * 1024L;

    private ContainerSpec() {
    }

    /** {@code cmd} filled in: the image's entrypoint, no network, no environment, stdin open for one session. */
    static CreateContainerCmd apply(CreateContainerCmd cmd, SandboxConfig config, Map<String, String> labels) {
        HostConfig host = hostConfig(config);
        return cmd.withName("dea-sandbox-" + UUID.randomUUID().toString().substring(0, 13))
                .withLabels(labels)
                .withUser(SANDBOX_USER)
                .withHostName("sandbox")
                .withNetworkDisabled(true)
                .withEnv(List.of())
                .withTty(false)
                .withStdinOpen(true)
                .withStdInOnce(true)
                .withAttachStdin(true)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withHostConfig(host);
    }

    static HostConfig hostConfig(SandboxConfig config) {
        long memory = config.memoryMb() * MIB;
        long tmpfsBytes = config.tmpfsMb() * MIB;
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,noexec,nosuid,nodev,size=" + config.tmpfsMb() + "m,mode=1777"))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withPidsLimit((long) config.pidsLimit())
                .withMemory(memory)
                // Equal to the memory limit: no swap, so a memory bomb dies fast instead of thrashing.
                .withMemorySwap(memory)
                .withNanoCPUs(Math.round(config.cpus() * 1e9))
                .withUlimits(List.of(new Ulimit("nofile", 256L, 256L), new Ulimit("fsize", tmpfsBytes, tmpfsBytes)))
                // Off: the exit code and OOMKilled must be inspected before the container goes.
                .withAutoRemove(false)
                // The agent reads the streams through attach; a log driver would also copy every byte
                // of results and printed data to the engine's disk (json-file: 10 MB written to stdout
                // took 250 ms instead of 20-50 ms, docs/benchmarks-frames.md) or to wherever the
                // daemon's default driver ships logs.
                .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE));
        config.runtime().ifPresent(host::withRuntime);
        return host;
    }
}
