package dev.dea.http;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /docs in a real headless Chromium: the page, Swagger UI and the document all come from the
 * agent (its Content-Security-Policy would block anything else), and the rendered page lists
 * the operations. Chromium is Debian's package; without it this test fails, it never skips.
 */
class DocsPageIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.fixture());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void headlessChromiumRendersEveryOperationFromTheAgentsOwnDocument() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM))
                .as("DocsPageIT needs Debian's headless Chromium at %s: run 'apt-get install -y chromium' as root "
                        + "(./dea test installs it)", CHROMIUM)
                .isTrue();
        Path profile = Files.createTempDirectory("dea-chromium-");
        Path stderr = Files.createTempFile("dea-chromium-", ".log");
        try {
            Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom",
                    agent.uri("/docs").toString())
                    .redirectError(stderr.toFile()).start();
            chromium.getOutputStream().close();
            byte[] out = chromium.getInputStream().readAllBytes();
            assertThat(chromium.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
            String dom = new String(out, StandardCharsets.UTF_8);
            Path saved = Path.of("target", "docs-page-dom.html");
            Files.writeString(saved, dom);
            assertThat(chromium.exitValue()).as("chromium's exit code; its log: %s", stderr).isZero();
            assertThat(dom).as("the DOM Chromium rendered, saved in %s", saved.toAbsolutePath())
                    .contains("swagger-ui", "Data Execution Agent")
                    .contains("/execute-on-data", "/execute", "/health", "/openapi.json")
                    .contains("Run one read-only SQL statement or a Python/pandas step")
                    .contains("Run a Python/pandas step on cached frames and inline data")
                    .contains("A cached frame's schema, stats, provenance and a preview")
                    .contains("Drop a cached frame");
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(stderr);
        }
    }

    @Test
    void servesThePageWithoutATokenAndWithNothingFromOutsideTheAgent() {
        var page = agent.getAnonymously("/docs");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type").replace(" ", "")).isEqualTo("text/html;charset=utf-8");
        assertThat(page.header("Content-Security-Policy")).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'");
        assertThat(page.body()).doesNotContainIgnoringCase("http:").doesNotContainIgnoringCase("https:")
                .doesNotContain("//").contains("docs/swagger-ui-bundle.js", "docs/swagger-ui.css", "docs/docs.js");
        assertThat(agent.getAnonymously("/docs/docs.js").body()).contains("'openapi.json'").doesNotContain("http");
    }

    @Test
    void sendsDocsWithATrailingSlashToDocs() {
        var reply = agent.getAnonymously("/docs/");
        assertThat(reply.status()).isEqualTo(302);
        assertThat(agent.uri("/docs/").resolve(reply.header("Location"))).isEqualTo(agent.uri("/docs"));
    }

    @Test
    void servesTheAssetsWithTheirTypesAndRevalidatesThemByETag() {
        for (var asset : List.of(Map.entry("/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
                Map.entry("/docs/swagger-ui.css", "text/css; charset=utf-8"),
                Map.entry("/docs/docs.js", "text/javascript; charset=utf-8"))) {
            var reply = agent.getAnonymously(asset.getKey());
            assertThat(reply.status()).as(asset.getKey()).isEqualTo(200);
            assertThat(reply.header("Content-Type").replace(" ", "")).as(asset.getKey()).isEqualTo(asset.getValue().replace(" ", ""));
            assertThat(reply.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(reply.header("X-Content-Type-Options")).isEqualTo("nosniff");
            String etag = reply.header("ETag");
            assertThat(etag).startsWith("\"");
            var again = agent.getAnonymously(asset.getKey(), "If-None-Match", etag);
            assertThat(again.status()).isEqualTo(304);
            assertThat(again.body()).isEmpty();
        }
    }
}
