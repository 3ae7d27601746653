package dev.dea.mcp;

import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServletExchangeTest {
    @Test
    void transportRefusalsBecomeTheAgentsErrorTypes() {
        assertThat(ServletExchange.toException(413, null).type()).isEqualTo(ErrorType.PAYLOAD_TOO_LARGE);
        assertThat(ServletExchange.toException(405, null).type()).isEqualTo(ErrorType.METHOD_NOT_ALLOWED);
        assertThat(ServletExchange.toException(404, "x").type()).isEqualTo(ErrorType.NOT_FOUND);
        assertThat(ServletExchange.toException(400, "bad").getMessage()).isEqualTo("bad");
        assertThat(ServletExchange.toException(503, "Server is shutting down").type()).isEqualTo(ErrorType.INTERNAL);
        assertThat(ServletExchange.toException(400, null).getMessage()).contains("HTTP 400");
    }
}
