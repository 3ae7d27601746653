package dev.dea.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's API server stand-in in CRUD mode, plus the kubelet's part played by the test:
 * a loop that gives new sandbox pods a status ({@link Mode}), and attach requests that are
 * upgraded to a v4.channel.k8s.io WebSocket bridged to a local process running the pod's
 * own command with the repository's real runner.py under /usr/bin/python3. So the backend's
 * create, watch, attach (fabric8's real attach client) and delete are exercised end to end;
 * only the container runtime is this JVM's child process.
 */
final class FakeCluster implements AutoCloseable {
    static final String NS = "sandboxes";
    private static final Pattern ATTACH = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/attach.*");

    enum Mode { RUN, OOM_AT_START, UNSCHEDULABLE, IMAGE_PULL_ERROR, NONE }

    final KubernetesMockServer server;
    final KubernetesClient admin;
    private final Map<String, Process> runners = new ConcurrentHashMap<>();
    private final Thread kubelet;
    volatile Mode mode = Mode.RUN;
    private volatile boolean closed;

    FakeCluster(int port) {
        Map<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>> responses = new HashMap<>();
        KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Matcher m = ATTACH.matcher(request.getPath());
                if (m.matches()) {
                    return new MockResponse().withWebSocketUpgrade(new RunnerBridge(m.group(2)));
                }
                return crud.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), port);
        admin = server.createClient();
        kubelet = Thread.ofPlatform().daemon().name("fake-kubelet").start(this::kubeletLoop);
    }

    int port() {
        return server.getPort();
    }

    /** A client as the agent builds it, on this server's URL. */
    KubernetesClient agentClient() {
        return agentClient(port());
    }

    static KubernetesClient agentClient(int port) {
        Config base = new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + port + "/")
                .withNamespace(NS)
                .build();
        return KubernetesSandboxes.client(base);
    }

    List<Pod> sandboxPods() {
        return admin.pods().inNamespace(NS).withLabel(PodSpecs.LABEL, "true").list().getItems();
    }

    boolean podExists(String name) {
        return admin.pods().inNamespace(NS).withName(name).get() != null;
    }

    /** The runner process of a pod dies (its attach stream ends); the pod's status is left as it was. */
    void killRunner(String name) {
        kill(name);
    }

    /** The kernel's OOM killer: the runner dies, the kubelet records OOMKilled. */
    void oomKill(String name) {
        kill(name);
        setStatus(name, new PodStatusBuilder().withPhase("Failed").addNewContainerStatus().withName(PodSpecs.CONTAINER)
                .withNewState().withNewTerminated().withReason("OOMKilled").withExitCode(137).endTerminated().endState()
                .endContainerStatus().build());
    }

    /** activeDeadlineSeconds passed: the kubelet kills the pod and marks it DeadlineExceeded. */
    void deadline(String name) {
        kill(name);
        setStatus(name, new PodStatusBuilder().withPhase("Failed").withReason("DeadlineExceeded")
                .withMessage("Pod was active on the node longer than the specified deadline").build());
    }

    private void kill(String name) {
        Process p = runners.remove(name);
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private void setStatus(String name, PodStatus status) {
        Pod pod = admin.pods().inNamespace(NS).withName(name).get();
        if (pod != null) {
            admin.pods().inNamespace(NS).resource(new PodBuilder(pod).withStatus(status).build()).updateStatus();
        }
    }

    private void kubeletLoop() {
        while (!closed) {
            try {
                for (Pod p : sandboxPods()) {
                    if (p.getStatus() == null || p.getStatus().getPhase() == null) {
                        PodStatus s = statusFor(mode);
                        if (s != null) {
                            setStatus(p.getMetadata().getName(), s);
                        }
                    }
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the server restarts in some tests
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static PodStatus statusFor(Mode mode) {
        return switch (mode) {
            case RUN -> new PodStatusBuilder().withPhase("Running")
                    .addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
                    .addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .addNewContainerStatus().withName(PodSpecs.CONTAINER).withReady(true)
                    .withNewState().withNewRunning().endRunning().endState().endContainerStatus().build();
            case OOM_AT_START -> new PodStatusBuilder().withPhase("Failed").addNewContainerStatus().withName(PodSpecs.CONTAINER)
                    .withNewState().withNewTerminated().withReason("OOMKilled").withExitCode(137).endTerminated().endState()
                    .endContainerStatus().build();
            case UNSCHEDULABLE -> new PodStatusBuilder().withPhase("Pending")
                    .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                    .withMessage("0/3 nodes are available: 3 Insufficient memory.").endCondition().build();
            case IMAGE_PULL_ERROR -> new PodStatusBuilder().withPhase("Pending")
                    .addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
                    .addNewContainerStatus().withName(PodSpecs.CONTAINER).withNewState().withNewWaiting()
                    .withReason("ErrImagePull").withMessage("pull access denied for dea-sandbox").endWaiting().endState()
                    .endContainerStatus().build();
            case NONE -> null;
        };
    }

    static Path runnerScript() {
        Path script = Path.of("").toAbsolutePath().getParent().resolve("sandbox-image/runner/runner.py");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("runner.py not found at " + script);
        }
        return script;
    }

    /** One attach session: the pod's command, with the image's paths mapped to this checkout. */
    private final class RunnerBridge extends WebSocketListener {
        private final String pod;
        private volatile Process process;

        RunnerBridge(String pod) {
            this.pod = pod;
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            Path script = runnerScript();
            String command = PodSpecs.COMMAND.get(2).replace("python3 " + PodSpecs.RUNNER, "/usr/bin/python3 " + script);
            ProcessBuilder pb = new ProcessBuilder(PodSpecs.COMMAND.get(0), PodSpecs.COMMAND.get(1), command)
                    .directory(script.getParent().toFile());
            pb.environment().put("PYTHONPATH", script.getParent().toString());
            pb.environment().put("MPLBACKEND", "Agg");
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            try {
                process = pb.start();
            } catch (IOException e) {
                ws.close(1011, e.toString());
                return;
            }
            runners.put(pod, process);
            Thread err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), ws, 2));
            Thread.ofVirtual().start(() -> {
                pump(process.getInputStream(), ws, 1);
                try {
                    err.join();
                    int code = process.waitFor();
                    String status = code == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
                            : "{\"metadata\":{},\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
                            + "[{\"reason\":\"ExitCode\",\"message\":\"" + code + "\"}]}}";
                    send(ws, 3, status.getBytes(StandardCharsets.UTF_8), status.length());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ws.close(1000, "");
            });
        }

        private void pump(InputStream in, WebSocket ws, int channel) {
            byte[] buf = new byte[16 * 1024];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    send(ws, channel, buf, n);
                }
            } catch (IOException e) {
                // process gone
            }
        }

        private void send(WebSocket ws, int channel, byte[] data, int n) {
            byte[] frame = new byte[n + 1];
            frame[0] = (byte) channel;
            System.arraycopy(data, 0, frame, 1, n);
            ws.send(frame);
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            receive(bytes);
        }

        private void receive(byte[] bytes) {
            Process p = process;
            if (p == null || bytes.length == 0) {
                return;
            }
            try {
                OutputStream stdin = p.getOutputStream();
                if (bytes[0] == 0) {
                    stdin.write(bytes, 1, bytes.length - 1);
                    stdin.flush();
                } else if ((bytes[0] & 0xff) == 255) {
                    stdin.close();
                }
            } catch (IOException e) {
                // the runner exited; its stdout reports that
            }
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        kubelet.interrupt();
        runners.values().forEach(Process::destroyForcibly);
        admin.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            if (!"Unable to close MockWebServer".equals(e.getMessage())) {
                throw e;
            }
            // fabric8's mock watch (WatchEventsListener.onClosed) waits on the server's only event loop, up to a
            // minute, for its event executor; a watch that a closing client ends just then stalls the server's own
            // close past its 10 s bound (seen once in CI). The tests' assertions have run; only the double's
            // shutdown was late, and its port is not reused.
            System.err.println("FakeCluster: the mock API server did not close within 10 s (a watch ending at "
                    + "teardown held its event loop); going on");
        }
    }
}
