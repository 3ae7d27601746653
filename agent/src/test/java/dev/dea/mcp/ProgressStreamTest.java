package dev.dea.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ProgressStreamTest {
    /** A client that reads nothing until {@code release} opens: every write blocks, as on a full socket. */
    private static final class StalledClient extends ServletOutputStream {
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (received) {
                received.write(b, off, len);
            }
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }

        String text() {
            synchronized (received) {
                return received.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static HttpServletResponse responseOn(ServletOutputStream out) {
        return (HttpServletResponse) Proxy.newProxyInstance(ProgressStreamTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getOutputStream" -> out;
                    case "isCommitted" -> false;
                    default -> null;
                });
    }

    @Test
    void aClientThatDoesNotReadNeitherBlocksTheStepNorLosesTheAnswer() throws Exception {
        StalledClient client = new StalledClient();
        ProgressStream stream = new ProgressStream(responseOn(client), new ObjectMapper(), "token-1");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 10_000; i++) {
                stream.output("stdout", "line " + i);
            }
        }, "the step's output must not wait for the client");
        assertThat(stream.dropped()).as("what the queue could not hold").isPositive();
        stream.response().getOutputStream().write("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}".getBytes(StandardCharsets.UTF_8));
        client.release.countDown();
        stream.finish();
        String sent = client.text();
        assertThat(sent).startsWith("event: message\ndata: ").contains("line 0");
        assertThat(sent.strip()).as("the answer comes last, after every queued notification")
                .endsWith("data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
    }
}
