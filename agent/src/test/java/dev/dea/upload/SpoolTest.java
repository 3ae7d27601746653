package dev.dea.upload;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SpoolTest {
    private static String until(String data, String delimiter) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean found = Spool.skipTo(new ByteArrayInputStream(data.getBytes(StandardCharsets.ISO_8859_1)),
                delimiter.getBytes(StandardCharsets.ISO_8859_1), out);
        return (found ? "found:" : "end:") + out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void copiesUpToTheDelimiterAndWritesNearMatchesBackExactly() throws IOException {
        assertThat(until("abc\r\n--b", "\r\n--b")).isEqualTo("found:abc");
        assertThat(until("a\r\n--x\r\n\r\n--b rest", "\r\n--b")).isEqualTo("found:a\r\n--x\r\n");
        assertThat(until("aabaabaaab", "aabaaab")).isEqualTo("found:aab");
        assertThat(until("no delimiter\r\n--", "\r\n--b")).isEqualTo("end:no delimiter");
    }
}
