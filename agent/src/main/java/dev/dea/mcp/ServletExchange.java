package dev.dea.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Adapts the host's request and response to the SDK's servlet. The body is handed over as
 * bytes the host already read (an authenticator that signs bodies may have consumed the
 * stream), and the servlet's {@code sendError} calls, which would make the container render
 * an HTML error page, are captured and rethrown as {@link AgentException}s for the host's
 * one error renderer.
 */
final class ServletExchange {
    private ServletExchange() {
    }

    /** The request with {@code body} as its content; MCP messages are JSON, hence UTF-8. */
    static HttpServletRequest withBody(HttpServletRequest request, byte[] body) {
        return new HttpServletRequestWrapper(request) {
            @Override
            public ServletInputStream getInputStream() {
                return new BodyStream(body);
            }

            @Override
            public BufferedReader getReader() {
                return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
            }

            @Override
            public int getContentLength() {
                return body.length;
            }

            @Override
            public long getContentLengthLong() {
                return body.length;
            }

            @Override
            public String getCharacterEncoding() {
                return StandardCharsets.UTF_8.name();
            }
        };
    }

    /**
     * A response whose errors are remembered instead of committed; see {@link #rethrow}. The SDK
     * refuses some requests with {@code sendError}, others (an Accept header without
     * text/event-stream, a body that is no JSON-RPC message) by setting a 4xx/5xx status and
     * writing its exception as JSON, stack trace included: neither reaches the caller.
     */
    static final class ErrorCapturingResponse extends HttpServletResponseWrapper {
        private static final ObjectMapper JSON = new ObjectMapper();
        private Optional<AgentException> error = Optional.empty();
        private int refusedStatus;
        private final ByteArrayOutputStream refusal = new ByteArrayOutputStream();
        private PrintWriter refusalWriter;

        ErrorCapturingResponse(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void sendError(int status) {
            sendError(status, null);
        }

        @Override
        public void sendError(int status, String message) {
            error = Optional.of(toException(status, message));
        }

        @Override
        public void setStatus(int status) {
            if (status >= 400) {
                refusedStatus = status;
            } else {
                super.setStatus(status);
            }
        }

        @Override
        public void setContentType(String type) {
            if (refusedStatus == 0) {
                super.setContentType(type);
            }
        }

        @Override
        public void setCharacterEncoding(String charset) {
            if (refusedStatus == 0) {
                super.setCharacterEncoding(charset);
            }
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (refusedStatus == 0) {
                return super.getWriter();
            }
            if (refusalWriter == null) {
                refusalWriter = new PrintWriter(new OutputStreamWriter(refusal, StandardCharsets.UTF_8));
            }
            return refusalWriter;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (refusedStatus == 0) {
                return super.getOutputStream();
            }
            return into(refusal);
        }

        void rethrow() {
            if (error.isPresent()) {
                throw error.get();
            }
            if (refusedStatus != 0) {
                throw toException(refusedStatus, refusalMessage());
            }
        }

        /** The message of the exception the SDK wrote, without the rest of it. */
        private String refusalMessage() {
            if (refusalWriter != null) {
                refusalWriter.flush();
            }
            try {
                return JSON.readTree(refusal.toByteArray()).path("message").asText(null);
            } catch (IOException e) {
                return null;
            }
        }
    }

    /** A blocking servlet stream that keeps what the SDK writes in {@code buffer} instead of sending it. */
    static ServletOutputStream into(ByteArrayOutputStream buffer) {
        return new ServletOutputStream() {
            @Override
            public void write(int b) {
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buffer.write(b, off, len);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                throw new UnsupportedOperationException("blocking writes only");
            }
        };
    }

    static AgentException toException(int status, String message) {
        String text = message == null || message.isBlank() ? "The MCP transport refused the request (HTTP " + status + ")" : message;
        ErrorType type = switch (status) {
            case 404 -> ErrorType.NOT_FOUND;
            case 405 -> ErrorType.METHOD_NOT_ALLOWED;
            case 413 -> ErrorType.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorType.UNSUPPORTED_MEDIA_TYPE;
            default -> status >= 500 ? ErrorType.INTERNAL : ErrorType.VALIDATION_ERROR;
        };
        return new AgentException(type, text);
    }

    private static final class BodyStream extends ServletInputStream {
        private final ByteArrayInputStream in;

        BodyStream(byte[] body) {
            this.in = new ByteArrayInputStream(body);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            try {
                listener.onDataAvailable();
                listener.onAllDataRead();
            } catch (IOException e) {
                listener.onError(e);
            }
        }
    }
}
