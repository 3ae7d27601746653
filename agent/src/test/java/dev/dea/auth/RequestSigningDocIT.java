package dev.dea.auth;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the Python and openssl snippets of docs/request-signing.md as the platform team would
 * copy them: each must print the worked example's signature. Needs /usr/bin/python3 and
 * openssl on the PATH; a missing one fails the test.
 */
class RequestSigningDocIT {
    private static String snippet(String language) throws IOException {
        String doc = Files.readString(HmacSignerTest.DOC);
        Matcher m = Pattern.compile("<!-- run by RequestSigningDocIT: " + language + " -->\\s*```" + language + "\\n(.*?)```",
                Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("a " + language + " snippet marked for this test in " + HmacSignerTest.DOC).isTrue();
        return m.group(1);
    }

    private static String run(List<String> command, String stdin) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void thePythonSnippetPrintsTheExampleSignature() throws Exception {
        assertThat(run(List.of("/usr/bin/python3", "-"), snippet("python")).strip()).isEqualTo(SigningExamples.POST_SIGNATURE);
    }

    @Test
    void theOpensslSnippetPrintsTheExampleSignature() throws Exception {
        assertThat(run(List.of("/bin/bash", "-euo", "pipefail"), snippet("bash")).strip()).isEqualTo(SigningExamples.POST_SIGNATURE);
    }

    @Test
    void theSnippetsUseTheTestedExampleValues() throws Exception {
        assertThat(snippet("python")).contains(SigningExamples.SECRET, SigningExamples.POST_NONCE, SigningExamples.POST_BODY);
        assertThat(snippet("bash")).contains(SigningExamples.SECRET, SigningExamples.POST_NONCE, SigningExamples.POST_BODY);
    }
}
