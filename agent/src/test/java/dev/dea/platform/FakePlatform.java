package dev.dea.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A minimal HTTP/1.1 platform on 127.0.0.1 written on raw sockets, so that a test can answer
 * any status, answer late, or drop the connection without answering. One request per connection.
 */
final class FakePlatform implements AutoCloseable {

    /** What the platform received. */
    record Request(String method, String path, Map<String, String> headers, String body, long arrivedNanos) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** How the body follows the headers. */
    enum Tail {
        /** The body, with its Content-Length. */
        WHOLE,
        /** The body repeated until the client goes away, with no length: a platform that never stops talking. */
        ENDLESS,
        /** A Content-Length promising a megabyte, then nothing until the client goes away. */
        STALLED
    }

    /** How to answer: a status (with optional headers and body), after an optional delay, or a dropped socket. */
    record Reply(int status, Map<String, String> headers, String body, long delayMillis, boolean drop, Tail tail) {
        static Reply status(int status) {
            return new Reply(status, Map.of(), "{}", 0, false, Tail.WHOLE);
        }

        static Reply hangUp() {
            return new Reply(0, Map.of(), "", 0, true, Tail.WHOLE);
        }

        Reply after(long millis) {
            return new Reply(status, headers, body, millis, drop, tail);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new TreeMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, delayMillis, drop, tail);
        }

        Reply withBody(String newBody) {
            return new Reply(status, headers, newBody, delayMillis, drop, tail);
        }

        /** Sends the body over and over, never ending it. */
        Reply endlessly() {
            return new Reply(status, headers, body, delayMillis, drop, Tail.ENDLESS);
        }

        /** Sends the headers, then never the body. */
        Reply stalled() {
            return new Reply(status, headers, body, delayMillis, drop, Tail.STALLED);
        }
    }

    private final ServerSocket server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Reply> behaviour = r -> Reply.status(200);
    private volatile boolean closed;

    FakePlatform() throws IOException {
        this(0);
    }

    /** Listens on {@code port} (0: any free port), e.g. to bring a stopped platform back on its old port. */
    FakePlatform(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread.ofPlatform().daemon(true).name("fake-platform").start(this::acceptLoop);
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    void answer(Function<Request, Reply> behaviour) {
        this.behaviour = behaviour;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requestsTo(String pathSuffix) {
        return requests.stream().filter(r -> r.path().endsWith(pathSuffix)).toList();
    }

    /** Requests to {@code pathSuffix} received so far (1-based count including the current one). */
    int count(String pathSuffix) {
        return requestsTo(pathSuffix).size();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            String requestLine = line(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return;
            }
            Map<String, String> headers = new TreeMap<>();
            for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            String[] parts = requestLine.split(" ");
            Request request = new Request(parts[0], parts[1], Map.copyOf(headers), body, System.nanoTime());
            requests.add(request);
            Reply reply = behaviour.apply(request);
            if (reply.delayMillis() > 0) {
                Thread.sleep(reply.delayMillis());
            }
            if (reply.drop()) {
                return;
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder("HTTP/1.1 " + reply.status() + " Fake\r\n")
                    .append("Content-Type: application/json\r\n");
            switch (reply.tail()) {
                case WHOLE -> head.append("Content-Length: ").append(bytes.length).append("\r\n");
                case STALLED -> head.append("Content-Length: 1000000\r\n");
                case ENDLESS -> {
                    // no length: the body runs until the connection closes
                }
            }
            head.append("Connection: close\r\n");
            reply.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            switch (reply.tail()) {
                case WHOLE -> out.write(bytes);
                case ENDLESS -> {
                    while (!closed) {
                        out.write(bytes);
                        // Paced, so that a client buffering all of it fails its test rather than the test JVM.
                        Thread.sleep(1);
                    }
                }
                case STALLED -> {
                    // Holds the connection open until the client closes it (read ends) or it breaks.
                    while (in.read() != -1) {
                        // the client sends nothing more
                    }
                }
            }
            out.flush();
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the client went away (timeout) or the test is over
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
