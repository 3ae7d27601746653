package dev.dea.doctor;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether CORE_LOGIC_URL answers at all. Any HTTP status counts: the platform's routes and
 * authentication are the registration's business; this only tells a firewall, a wrong host
 * or a dead platform apart from a working network path.
 */
final class PlatformCheck {
    static final String NAME = "platform";
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private PlatformCheck() {
    }

    static Check run(Optional<URI> coreLogicUrl) {
        if (coreLogicUrl.isEmpty()) {
            return Check.skip(NAME, "CORE_LOGIC_URL is not set (the agent does not register with a platform)");
        }
        URI url = coreLogicUrl.get();
        String shown = withoutCredentials(url);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).GET()
                .header("User-Agent", "data-execution-agent-doctor").build();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build()) {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            return Check.ok(NAME, shown + " is reachable (HTTP " + response.statusCode() + ")");
        } catch (javax.net.ssl.SSLException e) {
            return Check.fail(NAME, shown + " answered, but TLS failed: " + e.getMessage(),
                    "check the host name in CORE_LOGIC_URL, or add the platform's CA to the JVM's trust store");
        } catch (IOException e) {
            return Check.fail(NAME, shown + " is not reachable: " + reason(e),
                    "check CORE_LOGIC_URL, DNS, and that firewalls and proxies let this host reach the platform");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.fail(NAME, shown + " was not checked: interrupted", "run the doctor again");
        }
    }

    private static String reason(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host";
            }
        }
        return switch (e) {
            case HttpConnectTimeoutException t -> "no connection within " + TIMEOUT.toSeconds() + " s";
            case HttpTimeoutException t -> "no answer within " + TIMEOUT.toSeconds() + " s";
            case ConnectException c -> "connection refused";
            default -> e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        };
    }

    /** A URL may carry user:password or a token in its query; neither is printed. */
    static String withoutCredentials(URI url) {
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return url.getScheme() + "://" + url.getHost();
        }
    }
}
