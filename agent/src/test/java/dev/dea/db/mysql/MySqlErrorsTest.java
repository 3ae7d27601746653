package dev.dea.db.mysql;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** How MySQL's and MariaDB's errors map onto the agent's types, by server error code. */
class MySqlErrorsTest {
    private static AgentException translate(SQLException e) {
        return MySqlErrors.translate(e, Duration.ofSeconds(30));
    }

    @Test
    void bothProductsTimeLimitsAndAKillQueryAreTimeouts() {
        assertThat(translate(new SQLException("(conn=7) Query execution was interrupted (max_statement_time exceeded)",
                "70100", 1969)).type()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(translate(new SQLException("Query execution was interrupted, maximum statement execution time exceeded",
                "HY000", 3024)).type()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(translate(new SQLException("Query execution was interrupted", "70100", 1317)).type()).isEqualTo(ErrorType.TIMEOUT);
        AgentException lock = translate(new SQLException("Lock wait timeout exceeded; try restarting transaction", "HY000", 1205));
        assertThat(lock.type()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(lock.getMessage()).contains("lock");
    }

    @Test
    void aServerErrorIsSqlErrorWithCodeAndSqlstateAndNoConnectionPrefix() {
        AgentException e = translate(new SQLSyntaxErrorException("(conn=42) Unknown column 'x' in 'field list'", "42S22", 1054));
        assertThat(e.type()).isEqualTo(ErrorType.SQL_ERROR);
        assertThat(e.getMessage()).isEqualTo("Unknown column 'x' in 'field list'");
        assertThat(e.details()).containsEntry("error_code", 1054).containsEntry("sqlstate", "42S22");
    }

    @Test
    void lostOrRefusedConnectionsAreUnavailable() {
        assertThat(translate(new SQLNonTransientConnectionException("Socket error", "08000", 0)).type())
                .isEqualTo(ErrorType.DB_UNAVAILABLE);
        assertThat(translate(new SQLException("Too many connections", "08004", 1040)).type()).isEqualTo(ErrorType.DB_UNAVAILABLE);
        assertThat(translate(new SQLException("Server shutdown in progress", "08S01", 1053)).type()).isEqualTo(ErrorType.DB_UNAVAILABLE);
        assertThat(translate(new SQLException("Lost connection to server during query", "HY000", 2013)).type())
                .isEqualTo(ErrorType.DB_UNAVAILABLE);
    }

    @Test
    void healthReasonsAreCategoriesWithoutTheDriversText() {
        assertThat(MySqlErrors.healthReason(new SQLException("Access denied for user 'x'@'10.0.0.5'", "28000", 1045)))
                .isEqualTo("authentication failed");
        assertThat(MySqlErrors.healthReason(new SQLException("Unknown database 'shop'", "42000", 1049)))
                .isEqualTo("database does not exist");
        assertThat(MySqlErrors.healthReason(new SQLTransientConnectionException("pool timeout",
                new SQLNonTransientConnectionException("Could not connect to db.internal:3306", "08000"))))
                .isEqualTo("cannot connect to the database");
    }
}
