package dev.dea.http;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Guessing tokens from one address gets that address 429s for a while, right token or not. */
class AuthThrottleIT {
    @Test
    void repeatedFailedAuthenticationIsThrottled() throws Exception {
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("AUTH_FAILURE_LIMIT", "3", "AUTH_BLOCK_SECONDS", "2"))) {
            for (int i = 0; i < 3; i++) {
                var r = agent.send(HttpRequest.newBuilder(agent.uri("/schema")).header("Authorization", "Bearer guess-" + i).GET().build());
                assertThat(r.status()).isEqualTo(401);
            }
            var blocked = agent.get("/schema");
            assertThat(blocked.status()).as("even the right token, while blocked").isEqualTo(429);
            assertThat(blocked.errorType()).isEqualTo("TOO_MANY_REQUESTS");
            assertThat(blocked.header("Retry-After")).matches("[12]");
            assertThat(agent.getAnonymously("/health").status())
                    .as("/health needs no token and stays open").isEqualTo(200);
            Thread.sleep(2_100);
            assertThat(agent.get("/schema").status()).isEqualTo(200);
        }
    }
}
