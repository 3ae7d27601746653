package dev.dea.sandbox;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Health of the sandbox backend as of the call.
 *
 * @param engineReachable the backend answered: the Docker engine a ping, or the Kubernetes API server
 * @param imagePresent    sandboxes can start: on Docker the configured image exists on the engine; on
 *                        Kubernetes the API server answered and the NetworkPolicy was checked
 * @param runtime         the OCI runtime containers use ({@code runc} unless configured, e.g. {@code runsc}),
 *                        or {@code kubernetes/<RuntimeClass>} ({@code kubernetes/default} without one)
 * @param running         executions holding a slot now
 * @param queued          executions waiting for a slot
 * @param pooled          warm containers or pods ready for use (0: no warm pool yet)
 * @param packages        Python and module versions the image declares ({@link #PACKAGES_LABEL}), by import
 *                        name, e.g. {@code pandas -> 2.2.3}; empty when the image is missing or declares none,
 *                        and on Kubernetes (reading an image's labels there needs a registry client)
 * @param reason          why the backend is unusable, with what to do; empty when usable
 */
public record SandboxStatus(boolean engineReachable, boolean imagePresent, String runtime, int running, int queued,
                            int pooled, Map<String, String> packages, Optional<String> reason) {

    /** Image label written by build-offline.sh and the Dockerfile: {@code "python=3.13.5 pandas=2.2.3 ..."}. */
    public static final String PACKAGES_LABEL = "dev.dea.sandbox.packages";

    /** The label comes from whatever image is configured: bound what it may put into /health. */
    private static final int MAX_PACKAGES = 64;
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+!-]{0,63}");

    public SandboxStatus {
        requireNonNull(runtime, "runtime");
        requireNonNull(packages, "packages");
        requireNonNull(reason, "reason");
        packages = Collections.unmodifiableMap(new LinkedHashMap<>(packages));
    }

    public boolean usable() {
        return engineReachable && imagePresent;
    }

    /**
     * Reads {@link #PACKAGES_LABEL}'s value: space-separated {@code name=version} pairs, in order. A pair
     * that is not one (or beyond {@value #MAX_PACKAGES}) is left out rather than failing the health check.
     */
    static Map<String, String> parsePackages(String label) {
        Map<String, String> packages = new LinkedHashMap<>();
        if (label == null) {
            return packages;
        }
        for (String pair : label.trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq < 0 || packages.size() >= MAX_PACKAGES) {
                continue;
            }
            String name = pair.substring(0, eq);
            String version = pair.substring(eq + 1);
            if (NAME.matcher(name).matches() && VERSION.matcher(version).matches()) {
                packages.put(name, version);
            }
        }
        return packages;
    }
}
