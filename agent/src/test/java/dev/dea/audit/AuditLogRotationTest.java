package dev.dea.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.dea.audit.AuditTesting.event;
import static dev.dea.audit.AuditTesting.files;
import static dev.dea.audit.AuditTesting.lines;
import static dev.dea.audit.AuditTesting.parse;
import static org.assertj.core.api.Assertions.assertThat;

class AuditLogRotationTest {
    @TempDir
    Path dir;

    private static long lineBytes(AuditLog log) throws Exception {
        return Files.size(log.path());
    }

    @Test
    void rotationShiftsFilesKeepsAtMostMaxFilesAndNeverExceedsTheSizeLimit() throws Exception {
        Path current = dir.resolve("audit.log");
        long limit = 1_000;
        int maxFiles = 3;
        List<String> ids = new ArrayList<>();
        try (AuditLog log = new AuditLog(new AuditConfig(current, limit, maxFiles, true))) {
            for (int i = 0; i < 100; i++) {
                String id = "req-%03d".formatted(i);
                ids.add(id);
                log.append(event(id));
            }
        }

        List<Path> files = files(current, maxFiles);
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("audit.log.3", "audit.log.2", "audit.log.1", "audit.log");
        assertThat(Files.exists(dir.resolve("audit.log.4"))).isFalse();
        List<String> kept = new ArrayList<>();
        for (Path f : files) {
            assertThat(Files.size(f)).as(f.toString()).isLessThanOrEqualTo(limit).isPositive();
            lines(f).forEach(l -> kept.add(parse(l).get("request_id").asText()));
        }
        // Oldest first across files, no gaps, ending with the last event: only whole old files were dropped.
        assertThat(kept).isEqualTo(ids.subList(ids.size() - kept.size(), ids.size()));
        assertThat(kept.size()).isLessThan(ids.size());
    }

    @Test
    void aFileIsFilledUpToTheLimitBeforeRotating() throws Exception {
        Path current = dir.resolve("audit.log");
        long one;
        try (AuditLog probe = new AuditLog(new AuditConfig(dir.resolve("probe.log"), 1 << 20, 1, true))) {
            probe.append(event("req-000"));
            one = lineBytes(probe);
        }
        try (AuditLog log = new AuditLog(new AuditConfig(current, 3 * one, 2, true))) {
            for (int i = 0; i < 4; i++) {
                log.append(event("req-%03d".formatted(i)));
            }
        }
        assertThat(lines(dir.resolve("audit.log.1"))).hasSize(3);
        assertThat(Files.size(dir.resolve("audit.log.1"))).isEqualTo(3 * one);
        assertThat(lines(current)).hasSize(1);
    }

    @Test
    void aLineLargerThanTheLimitGoesAloneIntoAFreshFileAndIsNeverSplit() throws Exception {
        Path current = dir.resolve("audit.log");
        String huge = "SELECT '" + "x".repeat(5_000) + "'";
        try (AuditLog log = new AuditLog(new AuditConfig(current, 1_000, 5, true))) {
            log.append(event("before"));
            log.append(event("huge", huge));
            log.append(event("after"));
        }
        assertThat(lines(dir.resolve("audit.log.2"))).singleElement()
                .satisfies(l -> assertThat(parse(l).get("request_id").asText()).isEqualTo("before"));
        List<String> hugeFile = lines(dir.resolve("audit.log.1"));
        assertThat(hugeFile).hasSize(1);
        assertThat(parse(hugeFile.get(0)).get("code").asText()).isEqualTo(huge);
        assertThat(Files.size(dir.resolve("audit.log.1"))).isGreaterThan(1_000);
        assertThat(lines(current)).singleElement()
                .satisfies(l -> assertThat(parse(l).get("request_id").asText()).isEqualTo("after"));
    }

    @Test
    void aLargeLineIntoAnEmptyFileDoesNotRotateAnEmptyFile() {
        Path current = dir.resolve("audit.log");
        try (AuditLog log = new AuditLog(new AuditConfig(current, 100, 5, true))) {
            log.append(event("huge", "x".repeat(500)));
        }
        assertThat(Files.exists(dir.resolve("audit.log.1"))).isFalse();
        assertThat(lines(current)).hasSize(1);
    }
}
