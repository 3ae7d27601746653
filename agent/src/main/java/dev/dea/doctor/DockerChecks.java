package dev.dea.doctor;

import dev.dea.error.Causes;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import dev.dea.config.SandboxConfig;
import dev.dea.sandbox.DockerEngine;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The Python sandbox's needs: an engine, the configured runtime, the image. They are
 * required: SQL works without them, but Python (half of the agent) answers 503 until they
 * are there, and there is no setting that turns Python off.
 */
final class DockerChecks {
    static final String ENGINE = "docker engine";
    static final String RUNTIME = "sandbox runtime";
    static final String IMAGE = "sandbox image";
    private static final String SETUP_REMEDY = "run sandbox-image/setup-docker.sh as root (installs the engine and gVisor), "
            + "give this user access to the engine (e.g. the 'docker' group), or set DOCKER_HOST";

    private DockerChecks() {
    }

    /** {@code dockerHost}: DOCKER_HOST as the agent's process sees it (docker-java does not read .env). */
    static List<Check> run(SandboxConfig config, Optional<String> dockerHost) {
        List<Check> checks = new ArrayList<>();
        DefaultDockerClientConfig clientConfig;
        try {
            clientConfig = DockerEngine.clientConfig(dockerHost);
        } catch (RuntimeException e) {
            checks.add(Check.fail(ENGINE, "the engine's address is not usable: " + Causes.rootMessage(e), SETUP_REMEDY));
            return skipRest(checks);
        }
        String host = String.valueOf(clientConfig.getDockerHost());
        try (DockerClient client = DockerEngine.openClient(clientConfig, 2, Duration.ofSeconds(10))) {
            Map<String, ?> runtimes;
            try {
                client.pingCmd().exec();
                Version version = client.versionCmd().exec();
                runtimes = Optional.ofNullable(client.infoCmd().exec().getRuntimes()).orElse(Map.of());
                checks.add(Check.ok(ENGINE, "Docker " + version.getVersion() + " (API " + version.getApiVersion() + ") at " + host));
            } catch (RuntimeException e) {
                checks.add(Check.fail(ENGINE, "not reachable at " + host + ": " + Causes.rootMessage(e), SETUP_REMEDY));
                return skipRest(checks);
            }
            checks.add(runtime(config, runtimes.keySet()));
            checks.add(image(client, config.image()));
        } catch (IOException e) {
            // Closing the client is not a finding.
        }
        return checks;
    }

    private static Check runtime(SandboxConfig config, java.util.Set<String> available) {
        String known = String.join(", ", new TreeSet<>(available));
        if (config.runtime().isEmpty()) {
            return Check.ok(RUNTIME, "the engine's default (SANDBOX_RUNTIME is not set; the engine has " + known + ")");
        }
        String runtime = config.runtime().get();
        if (available.contains(runtime)) {
            return Check.ok(RUNTIME, runtime + " (SANDBOX_RUNTIME)");
        }
        return Check.fail(RUNTIME, "SANDBOX_RUNTIME '" + runtime + "' is not configured in the engine (it has " + known + ")",
                "run sandbox-image/setup-docker.sh (registers gVisor's runsc in /etc/docker/daemon.json), "
                        + "or set SANDBOX_RUNTIME to one of those, or leave it empty");
    }

    private static Check image(DockerClient client, String image) {
        try {
            InspectImageResponse found = client.inspectImageCmd(image).exec();
            String id = Optional.ofNullable(found.getId()).map(i -> i.replace("sha256:", "")).map(i -> i.substring(0, Math.min(12, i.length())))
                    .orElse("?");
            long mb = Optional.ofNullable(found.getSize()).orElse(0L) / (1024 * 1024);
            return Check.ok(IMAGE, image + " (" + id + ", " + mb + " MB)");
        } catch (NotFoundException e) {
            return Check.fail(IMAGE, image + " not found",
                    "run sandbox-image/build-offline.sh (no registry) or docker build -t " + image + " sandbox-image");
        } catch (RuntimeException e) {
            return Check.fail(IMAGE, image + " could not be inspected: " + Causes.rootMessage(e), SETUP_REMEDY);
        }
    }

    private static List<Check> skipRest(List<Check> checks) {
        checks.add(Check.skip(RUNTIME, "the Docker engine is not reachable"));
        checks.add(Check.skip(IMAGE, "the Docker engine is not reachable"));
        return checks;
    }

}
