package dev.dea.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code java -jar agent.jar sign ...}: prints the signature headers for one request, for
 * trying the API by hand and for checking a caller's implementation. The secret comes from
 * the environment or a file, never from an argument (arguments show in {@code ps}).
 */
public final class SignCommand {
    static final String SECRET_ENV = "AGENT_HMAC_SECRET";
    static final String USAGE = """
            Usage: java -jar agent.jar sign --method METHOD --path PATH [--query QUERY]
                                            [--body TEXT | --body-file FILE] [--format headers|curl|json]
                                            [--secret-file FILE] [--timestamp UNIX_SECONDS] [--nonce NONCE]
              Prints the X-DEA-Timestamp, X-DEA-Nonce and X-DEA-Signature headers for one request
              (docs/request-signing.md). PATH and QUERY exactly as sent (still percent-encoded; QUERY
              without '?'); the body is signed as its exact bytes, so send it with curl --data-binary.
              The secret is read from the environment variable AGENT_HMAC_SECRET or from --secret-file,
              never from an argument. --timestamp and --nonce default to now and a random nonce.
              Formats: headers (default, 'Name: value' lines, for curl -H @file), curl (-H '...' arguments),
              json (an object). Exit status 2 on a usage error.
            """;
    private static final Set<String> OPTIONS = Set.of("--method", "--path", "--query", "--body", "--body-file",
            "--format", "--secret-file", "--timestamp", "--nonce");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SignCommand() {
    }

    /** A mistake in the invocation: reported with the usage and exit status 2. */
    private static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        try {
            Map<String, String> options = parse(args);
            if (options.containsKey("--help")) {
                out.print(USAGE);
                return 0;
            }
            String method = method(option(options, "--method"));
            String path = path(option(options, "--path"));
            String query = Optional.ofNullable(options.get("--query")).map(SignCommand::query).orElse("");
            byte[] body = body(options);
            long timestamp = Optional.ofNullable(options.get("--timestamp")).map(SignCommand::timestamp)
                    .orElseGet(() -> Instant.now().getEpochSecond());
            String nonce = Optional.ofNullable(options.get("--nonce")).map(SignCommand::nonce).orElseGet(SignCommand::randomNonce);
            String format = options.getOrDefault("--format", "headers");
            if (!Set.of("headers", "curl", "json").contains(format)) {
                throw new UsageError("--format must be headers, curl or json, got '" + format + "'");
            }
            String secret = secret(options, env);

            SignatureHeaders headers = new HmacSigner(secret).sign(CanonicalRequest.of(method, path, query, timestamp, nonce, body));
            out.print(render(headers, format));
            out.flush();
            return 0;
        } catch (UsageError e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            err.flush();
            return 2;
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                options.put("--help", "");
                continue;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (name.equals("--secret")) {
                throw new UsageError("--secret is not accepted: command-line arguments are visible to every user in 'ps'; "
                        + "set " + SECRET_ENV + " or use --secret-file FILE");
            }
            if (!OPTIONS.contains(name)) {
                throw new UsageError("unknown argument '" + arg + "'");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageError(name + " needs a value");
                }
                value = args[++i];
            }
            if (options.put(name, value) != null) {
                throw new UsageError(name + " is given twice");
            }
        }
        return options;
    }

    private static String option(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageError(name + " is required");
        }
        return v;
    }

    private static String method(String method) {
        if (!method.matches("[A-Za-z]{1,16}")) {
            throw new UsageError("--method must be an HTTP method such as GET or POST, got '" + method + "'");
        }
        return method.toUpperCase(Locale.ROOT);
    }

    private static String path(String path) {
        if (!path.startsWith("/") || path.contains("?") || path.contains("#") || path.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            throw new UsageError("--path must be the request path as sent, starting with '/', without spaces, "
                    + "query (use --query) or fragment, got '" + path + "'");
        }
        return path;
    }

    private static String query(String query) {
        String q = query.startsWith("?") ? query.substring(1) : query;
        if (q.contains("#") || q.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            throw new UsageError("--query must be the raw query string as sent (percent-encoded, no spaces or fragment), got '"
                    + query + "'");
        }
        return q;
    }

    private static byte[] body(Map<String, String> options) {
        String text = options.get("--body");
        String file = options.get("--body-file");
        if (text != null && file != null) {
            throw new UsageError("give either --body or --body-file, not both");
        }
        if (text != null) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (file != null) {
            try {
                return Files.readAllBytes(Path.of(file));
            } catch (IOException | RuntimeException e) {
                throw new UsageError("--body-file '" + file + "' cannot be read: " + e.getMessage());
            }
        }
        return new byte[0];
    }

    private static long timestamp(String value) {
        if (!value.matches("0|[1-9][0-9]{0,11}")) {
            throw new UsageError("--timestamp must be unix time in whole seconds, got '" + value + "'");
        }
        return Long.parseLong(value);
    }

    private static String nonce(String value) {
        if (!SignatureHeaders.NONCE_FORMAT.matcher(value).matches()) {
            throw new UsageError("--nonce must be 16 to 128 characters of A-Z, a-z, 0-9, '_' and '-'");
        }
        return value;
    }

    private static String randomNonce() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String secret(Map<String, String> options, Map<String, String> env) {
        String file = options.get("--secret-file");
        String secret;
        if (file != null) {
            try {
                // Stripped like the agent strips AGENT_HMAC_SECRET, so a trailing newline in the file is harmless.
                secret = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                throw new UsageError("--secret-file '" + file + "' cannot be read: " + e.getMessage());
            }
            if (secret.isEmpty()) {
                throw new UsageError("--secret-file '" + file + "' is empty");
            }
        } else {
            secret = Optional.ofNullable(env.get(SECRET_ENV)).map(String::strip).orElse("");
            if (secret.isEmpty()) {
                throw new UsageError("no secret: set " + SECRET_ENV + " in the environment or use --secret-file FILE");
            }
        }
        return secret;
    }

    private static String render(SignatureHeaders headers, String format) {
        StringBuilder sb = new StringBuilder();
        switch (format) {
            case "curl" -> {
                headers.asMap().forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append("-H '").append(k).append(": ").append(v).append('\''));
                sb.append('\n');
            }
            case "json" -> {
                try {
                    sb.append(new ObjectMapper().writeValueAsString(headers.asMap())).append('\n');
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
            default -> headers.asMap().forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        }
        return sb.toString();
    }
}
