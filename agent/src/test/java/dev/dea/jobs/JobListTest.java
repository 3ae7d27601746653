package dev.dea.jobs;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.paging.Paging;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JobListTest {
    @Test
    void aCursorThatIsNotOneTheAgentGaveOutIsAValidationErrorNotAnEmptyPage() {
        for (String cursor : new String[] {"garbage!", Paging.cursor("yesterday", "job-1"), Paging.cursor("only-one")}) {
            AgentException e = catchThrowableOfType(AgentException.class, () -> JobList.Query.parse(null, null, null, cursor));
            assertThat(e).as(cursor).isNotNull();
            assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR);
            assertThat(e.getMessage()).contains("cursor");
        }
    }

    @Test
    void aCursorTheAgentGaveOutIsAccepted() {
        JobList.Query q = JobList.Query.parse(null, null, null, Paging.cursor("2026-12-06T01:00:00.123Z", "job-1"));
        assertThat(q.after()).isPresent();
    }
}
