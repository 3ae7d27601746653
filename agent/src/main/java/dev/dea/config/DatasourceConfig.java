package dev.dea.config;

import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One named database the agent serves: its connection ({@link DbConfig}, password never rendered),
 * whether it answers calls that name no datasource, its own SQL limits and deny/allow-lists
 * (the agent-wide SQL_* values unless its entry in DATASOURCES_FILE says otherwise), and whether
 * it is an entry of DATASOURCES_FILE (messages then name the entry's keys, not DB_* variables).
 */
public record DatasourceConfig(String name, boolean isDefault, DbConfig db, SqlLimits sql, boolean fromFile) {
    /** The name of the one datasource the DB_* variables (or the demo database) define. */
    public static final String DEFAULT_NAME = "default";
    /** Names travel in query strings, JSON and metric tags: kept to a safe alphabet. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,63}");

    /** The datasource of the DB_* variables. */
    public DatasourceConfig(String name, boolean isDefault, DbConfig db, SqlLimits sql) {
        this(name, isDefault, db, sql, false);
    }

    public DatasourceConfig {
        requireNonNull(name, "name");
        requireNonNull(db, "db");
        requireNonNull(sql, "sql");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("datasource name must match " + NAME.pattern() + ", got '" + name + "'");
        }
    }

    @Override
    public String toString() {
        return "Datasource[" + name + (isDefault ? " (default)" : "") + ", " + db + "]";
    }
}
