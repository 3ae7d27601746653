package dev.dea.testing;

import dev.dea.config.DbConfig;
import dev.dea.config.Dialect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a DATASOURCES_FILE (YAML) for tests: one entry per name, the first one the default,
 * each password in an environment variable of its own ({@link #env}), never in the file.
 */
public final class DatasourcesFiles {
    private final Path file;
    private final Map<String, String> env;

    private DatasourcesFiles(Path file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    /** {@code datasources}: name -> connection, in order; the first is the default. */
    public static DatasourcesFiles write(Map<String, DbConfig> datasources) {
        StringBuilder yaml = new StringBuilder("datasources:\n");
        Map<String, String> env = new LinkedHashMap<>();
        boolean first = true;
        for (var e : datasources.entrySet()) {
            DbConfig db = e.getValue();
            String variable = "DS_" + e.getKey().toUpperCase(Locale.ROOT).replace('-', '_') + "_PASSWORD";
            env.put(variable, db.password());
            yaml.append("  - name: ").append(e.getKey()).append('\n')
                    .append("    dialect: ").append(db.dialect().id()).append('\n')
                    .append("    host: ").append(db.host()).append('\n')
                    .append("    port: ").append(db.port()).append('\n')
                    .append("    database: ").append(db.name()).append('\n')
                    .append("    user: ").append(db.user()).append('\n')
                    .append("    password_env: ").append(variable).append('\n')
                    .append("    ssl_mode: ").append(db.sslMode()).append('\n');
            if (db.dialect() == Dialect.POSTGRESQL) {
                // PostgreSQL-only: a MySQL entry with it is refused.
                yaml.append("    search_path: \"").append(db.searchPath()).append("\"\n");
            }
            yaml.append("    pool_size: ").append(db.poolSize()).append('\n')
                    .append("    allow_privileged_login: ").append(db.allowPrivilegedLogin()).append('\n')
                    .append("    default: ").append(first).append('\n');
            first = false;
        }
        try {
            Path file = Files.createTempFile("dea-datasources-", ".yaml");
            Files.writeString(file, yaml);
            return new DatasourcesFiles(file, env);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path file() {
        return file;
    }

    /** The password variables the file names. */
    public Map<String, String> env() {
        return env;
    }
}
