package dev.dea.db.mysql;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The MySQL session's product choices, without a server. */
class MySqlSessionTest {
    @Test
    void sqlModesThatChangeHowTheGuardReadsTextAreDropped() {
        assertThat(MySqlSession.guardSafeSqlMode("STRICT_TRANS_TABLES,ANSI_QUOTES,NO_BACKSLASH_ESCAPES,ERROR_FOR_DIVISION_BY_ZERO"))
                .isEqualTo("STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO");
        assertThat(MySqlSession.guardSafeSqlMode("ORACLE,PIPES_AS_CONCAT")).isEqualTo("PIPES_AS_CONCAT");
        assertThat(MySqlSession.guardSafeSqlMode("ANSI")).isEmpty();
        assertThat(MySqlSession.guardSafeSqlMode("")).isEmpty();
        assertThat(MySqlSession.guardSafeSqlMode("A'B,STRICT_ALL_TABLES")).isEqualTo("STRICT_ALL_TABLES");
    }

    @Test
    void theTimeLimitVariableFollowsTheProduct() {
        assertThat(MySqlSession.isMariaDb("10.11.19-MariaDB-0+deb12u1")).isTrue();
        assertThat(MySqlSession.isMariaDb("8.0.36")).isFalse();
        assertThat(MySqlSession.timeLimitAssignment(true, Duration.ofMillis(1500))).isEqualTo("max_statement_time = 1.500");
        assertThat(MySqlSession.timeLimitAssignment(false, Duration.ofSeconds(30))).isEqualTo("max_execution_time = 30000");
    }

    @Test
    void sslModesMapOntoConnectorJsModes() {
        assertThat(MySqlSession.sslMode("prefer")).isEqualTo("disable");
        assertThat(MySqlSession.sslMode("require")).isEqualTo("trust");
        assertThat(MySqlSession.sslMode("verify-full")).isEqualTo("verify-full");
    }
}
