package dev.dea.sql.mysql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** The MySQL guard's test corpora (resources sql/mysql), shared by the unit test and the IT. */
final class MySqlCorpus {

    /** A statement the guard must refuse and the rule it must name. */
    record Rejected(String rule, String sql) {
        Rejected {
            requireNonNull(rule, "rule");
            requireNonNull(sql, "sql");
        }

        @Override
        public String toString() {
            return rule + ": " + sql;
        }
    }

    private MySqlCorpus() {
    }

    static List<String> accepted() {
        List<String> statements = new ArrayList<>();
        for (String line : lines("accepted.sql")) {
            if (!line.isBlank() && !line.startsWith("-- ")) {
                statements.add(unescape(line));
            }
        }
        return statements;
    }

    static List<Rejected> rejected() {
        List<Rejected> statements = new ArrayList<>();
        for (String line : lines("rejected.tsv")) {
            if (line.isBlank() || line.startsWith("# ")) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalStateException("rejected.tsv: no tab in " + line);
            }
            statements.add(new Rejected(line.substring(0, tab), unescape(line.substring(tab + 1))));
        }
        return statements;
    }

    static String fixture() {
        return String.join("\n", lines("fixture.sql"));
    }

    private static String unescape(String line) {
        return line.replace("⏎", "\n");
    }

    private static List<String> lines(String name) {
        try (InputStream in = MySqlCorpus.class.getResourceAsStream("/sql/mysql/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource sql/mysql/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
