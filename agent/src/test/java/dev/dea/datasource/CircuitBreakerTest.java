package dev.dea.datasource;

import dev.dea.db.DbHealth;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CircuitBreakerTest {
    private final CircuitBreaker breaker = new CircuitBreaker("hr");

    @Test
    void aClosedBreakerLetsRequestsThrough() {
        assertThat(breaker.isOpen()).isFalse();
        assertThatCode(breaker::check).doesNotThrowAnyException();
    }

    @Test
    void aFailedProbeOpensItAndRequestsFailAtOnceNamingTheDatasourceAndTheReason() {
        breaker.probed(DbHealth.down("Connection refused"), breaker.probeStarting());
        assertThat(breaker.isOpen()).isTrue();
        assertThatThrownBy(breaker::check).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.DB_UNAVAILABLE);
            assertThat(e.getMessage()).isEqualTo("Datasource 'hr' is unavailable: Connection refused");
            assertThat(e.details()).containsEntry("datasource", "hr");
        });
    }

    @Test
    void aRequestThatFoundTheDatabaseDownOpensItUntilAProbeSeesItAnswer() {
        breaker.trip("The database is unavailable: timeout");
        assertThat(breaker.isOpen()).isTrue();
        breaker.probed(DbHealth.up("16.4"), breaker.probeStarting());
        assertThat(breaker.isOpen()).isFalse();
        assertThat(breaker.lastProbe()).hasValueSatisfying(h -> assertThat(h.serverVersion()).contains("16.4"));
        assertThatCode(breaker::check).doesNotThrowAnyException();
    }

    @Test
    void aProbeThatBeganBeforeARequestTrippedItDoesNotCloseIt() {
        long probeStarted = breaker.probeStarting();
        breaker.trip("The database is unavailable: connection reset");
        breaker.probed(DbHealth.up("16.4"), probeStarted);
        assertThat(breaker.isOpen()).as("the probe's 'up' predates the failure").isTrue();
        breaker.probed(DbHealth.up("16.4"), breaker.probeStarting());
        assertThat(breaker.isOpen()).isFalse();
    }
}
