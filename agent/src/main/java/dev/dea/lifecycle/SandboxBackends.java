package dev.dea.lifecycle;

import dev.dea.config.SandboxConfig;
import dev.dea.sandbox.DockerSandboxes;
import dev.dea.sandbox.SandboxBackend;
import dev.dea.sandbox.kubernetes.KubernetesConfig;
import dev.dea.sandbox.kubernetes.KubernetesSandboxes;

import java.nio.file.Path;

/**
 * The one place that turns SANDBOX_BACKEND into a {@link SandboxBackend}. Here rather than
 * in {@code dev.dea.sandbox}, which the Kubernetes backend depends on (no package cycle).
 */
public final class SandboxBackends {
    private SandboxBackends() {
    }

    /**
     * The configured backend. With Kubernetes the API client is fabric8's standard one (the pod's
     * service account in a cluster, else KUBECONFIG or ~/.kube/config); the backend closes it.
     */
    public static SandboxBackend of(SandboxConfig config, Path cacheDirectory) {
        return switch (config.backend()) {
            case DOCKER -> new DockerSandboxes(config, cacheDirectory);
            case KUBERNETES -> new KubernetesSandboxes(KubernetesConfig.of(config), KubernetesSandboxes.defaultClient(),
                    SandboxBackend.ownerOf(cacheDirectory));
        };
    }
}
