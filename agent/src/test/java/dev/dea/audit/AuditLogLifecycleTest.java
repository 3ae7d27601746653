package dev.dea.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.dea.audit.AuditTesting.event;
import static dev.dea.audit.AuditTesting.lines;
import static dev.dea.audit.AuditTesting.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditLogLifecycleTest {
    @TempDir
    Path dir;

    private AuditConfig config(Path path) {
        return new AuditConfig(path, 1 << 20, 3, true);
    }

    @Test
    void openingCreatesMissingDirectoriesAndAnEmptyFile() {
        Path path = dir.resolve("a/b/c/audit.log");
        try (AuditLog log = new AuditLog(config(path))) {
            assertThat(log.path()).isEqualTo(path.toAbsolutePath());
        }
        assertThat(path).exists().isEmptyFile();
    }

    @Test
    void reopeningTheSamePathAppendsAfterThePreviousLines() {
        Path path = dir.resolve("audit.log");
        try (AuditLog log = new AuditLog(config(path))) {
            log.append(event("first"));
            log.append(event("second"));
        }
        try (AuditLog log = new AuditLog(config(path))) {
            log.append(event("third"));
        }
        assertThat(lines(path)).extracting(l -> parse(l).get("request_id").asText())
                .containsExactly("first", "second", "third");
    }

    @Test
    void aTornLastLineFromACrashIsTerminatedSoTheNextLineParses() throws Exception {
        Path path = dir.resolve("audit.log");
        try (AuditLog log = new AuditLog(config(path))) {
            log.append(event("first"));
        }
        Files.writeString(path, "{\"time\":\"2026-", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (AuditLog log = new AuditLog(config(path))) {
            log.append(event("after-crash"));
        }
        List<String> lines = lines(path);
        assertThat(lines).hasSize(3);
        assertThat(parse(lines.get(0)).get("request_id").asText()).isEqualTo("first");
        assertThat(lines.get(1)).isEqualTo("{\"time\":\"2026-");
        assertThat(parse(lines.get(2)).get("request_id").asText()).isEqualTo("after-crash");
    }

    @Test
    void closeIsIdempotent() {
        AuditLog log = new AuditLog(config(dir.resolve("audit.log")));
        log.append(event("r"));
        log.close();
        log.close();
        assertThat(lines(dir.resolve("audit.log"))).hasSize(1);
    }

    @Test
    void appendingAfterCloseThrowsAndWritesNothing() {
        AuditLog log = new AuditLog(config(dir.resolve("audit.log")));
        log.close();
        assertThatThrownBy(() -> log.append(event("late")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(lines(dir.resolve("audit.log"))).isEmpty();
    }

    @Test
    void openingWhereTheDirectoryCannotExistThrows() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> new AuditLog(config(file.resolve("audit.log"))))
                .isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void aFailedRotationSurfacesAsAnExceptionAndTheNextAppendRecovers() throws Exception {
        Path path = dir.resolve("audit.log");
        // The oldest rotated slot is a non-empty directory: rotation cannot delete it.
        Path obstacle = Files.createDirectories(dir.resolve("audit.log.1"));
        Files.writeString(obstacle.resolve("keep"), "x");
        try (AuditLog log = new AuditLog(new AuditConfig(path, 100, 1, true))) {
            log.append(event("fits"));   // an empty file takes any line
            assertThatThrownBy(() -> log.append(event("needs-rotation")))
                    .isInstanceOf(UncheckedIOException.class);
            Files.delete(obstacle.resolve("keep"));
            Files.delete(obstacle);
            log.append(event("recovered"));
        }
        assertThat(lines(dir.resolve("audit.log.1"))).extracting(l -> parse(l).get("request_id").asText())
                .containsExactly("fits");
        assertThat(lines(path)).extracting(l -> parse(l).get("request_id").asText())
                .containsExactly("recovered");
    }

    @Test
    void anInterruptedThreadStillAppendsAndKeepsItsInterruptFlag() throws Exception {
        Path path = dir.resolve("audit.log");
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (AuditLog log = new AuditLog(config(path))) {
            Thread t = new Thread(() -> {
                Thread.currentThread().interrupt();   // e.g. an execution cancelled by its timeout
                try {
                    log.append(event("timed-out"));
                } catch (Throwable e) {
                    failure.set(e);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            t.start();
            t.join();
            log.append(event("next"));
        }
        assertThat(failure.get()).isNull();
        assertThat(stillInterrupted).isTrue();
        assertThat(lines(path)).hasSize(2);
    }
}
