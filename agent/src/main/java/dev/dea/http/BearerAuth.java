package dev.dea.http;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Bearer-token check. Tokens are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so neither their content nor their length leaks
 * through timing; every accepted token is compared, so rotation adds no timing signal.
 */
final class BearerAuth implements Authenticator.Credentials {
    private static final String PREFIX = "Bearer ";

    private final List<byte[]> acceptedDigests;

    BearerAuth(List<String> acceptedTokens) {
        this.acceptedDigests = acceptedTokens.stream().map(BearerAuth::digest).toList();
    }

    @Override
    public String challenge() {
        return "Bearer realm=\"data-execution-agent\"";
    }

    @Override
    public void verify(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new AgentException(ErrorType.UNAUTHORIZED, "Missing Authorization header; send 'Authorization: Bearer <token>'");
        }
        if (!header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new AgentException(ErrorType.UNAUTHORIZED, "Authorization must use the Bearer scheme");
        }
        byte[] presented = digest(header.substring(PREFIX.length()).strip());
        boolean ok = false;
        for (byte[] accepted : acceptedDigests) {
            ok |= MessageDigest.isEqual(accepted, presented);
        }
        if (!ok) {
            throw new AgentException(ErrorType.UNAUTHORIZED, "Invalid token");
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }
}
