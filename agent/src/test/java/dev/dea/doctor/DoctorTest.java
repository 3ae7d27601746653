package dev.dea.doctor;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The report's format and exit codes; nothing here reaches a database or an engine. */
class DoctorTest {
    private static final class Captured {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void linesCarryAnAlignedTagAndTheRemedy() {
        assertThat(Check.ok("configuration", "valid").line()).isEqualTo("[ OK ] configuration: valid");
        assertThat(Check.warn("database rights", "'postgres' is a superuser", "use docs/readonly-role.sql").line())
                .isEqualTo("[WARN] database rights: 'postgres' is a superuser -> use docs/readonly-role.sql");
        assertThat(Check.fail("sandbox image", "x:y not found", "build it").line())
                .isEqualTo("[FAIL] sandbox image: x:y not found -> build it");
        assertThat(Check.skip("platform", "CORE_LOGIC_URL is not set").line())
                .isEqualTo("[SKIP] platform: CORE_LOGIC_URL is not set");
    }

    @Test
    void warningsAloneExitZero() {
        Captured c = new Captured();
        int code = Doctor.report(List.of(Check.ok("a", "fine"), Check.warn("b", "meh", "fix b"), Check.skip("c", "n/a")), c.out);
        assertThat(code).isZero();
        assertThat(c.text().lines().toList()).containsExactly(Doctor.TITLE, "[ OK ] a: fine", "[WARN] b: meh -> fix b",
                "[SKIP] c: n/a", "no problems, 1 warning");
    }

    @Test
    void anyFailureExitsOneAndIsCounted() {
        Captured c = new Captured();
        int code = Doctor.report(List.of(Check.fail("a", "broken", "fix a"), Check.warn("b", "meh", "fix b"),
                Check.fail("c", "broken", "fix c"), Check.warn("d", "meh", "fix d")), c.out);
        assertThat(code).isEqualTo(1);
        assertThat(c.text().lines().toList()).last().isEqualTo("2 problems, 2 warnings");
        assertThat(Doctor.summary(1, 0)).isEqualTo("1 problem");
        assertThat(Doctor.summary(0, 0)).isEqualTo("no problems");
    }

    @Test
    void unknownArgumentIsAUsageError() {
        Captured c = new Captured();
        assertThat(Doctor.run(new String[]{"--fix"}, c.out, Map.of())).isEqualTo(2);
        assertThat(c.text()).contains("doctor takes no arguments, got: --fix").contains("Usage: java -jar agent.jar doctor");
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Captured c = new Captured();
        assertThat(Doctor.run(new String[]{"--help"}, c.out, Map.of())).isZero();
        assertThat(c.text()).startsWith("Usage: java -jar agent.jar doctor");
    }

    @Test
    void invalidConfigurationFailsOncePerProblemAndSkipsTheDependentChecks() {
        Captured c = new Captured();
        int code = Doctor.run(new String[0], c.out, Map.of("AGENT_PORT", "abc", "SQL_TIMEOUT_SECONDS", "0"));
        assertThat(code).isEqualTo(1);
        List<String> lines = c.text().lines().toList();
        assertThat(lines).contains("[FAIL] configuration: AGENT_PORT must be a whole number, got 'abc'"
                        + " -> fix it in the environment or in .env (see .env.example)")
                .anySatisfy(l -> assertThat(l).startsWith("[FAIL] configuration: SQL_TIMEOUT_SECONDS must be between"))
                .contains("[SKIP] listen address: the configuration is invalid", "[SKIP] database: the configuration is invalid", "[SKIP] docker engine: the configuration is invalid",
                        "[SKIP] cache directory: the configuration is invalid", "[SKIP] platform: the configuration is invalid",
                        "[SKIP] tls certificate: the configuration is invalid");
        assertThat(lines).last().isEqualTo("2 problems");
    }
}
