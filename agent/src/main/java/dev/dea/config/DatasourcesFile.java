package dev.dea.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads DATASOURCES_FILE: {@code {"datasources": [ {...}, ... ]}} in YAML or JSON (a JSON file is
 * read as it is). Every problem of every entry is added to the caller's list, so that one start-up
 * message names them all. Passwords are never inline: an entry names an environment variable
 * ({@code password_env}) or a file ({@code password_file}) that holds it. Keys are in docs/datasources.md.
 */
public final class DatasourcesFile {
    private static final Set<String> KEYS = Set.of("name", "dialect", "host", "port", "database", "user",
            "password_env", "password_file", "ssl_mode", "default", "allow_privileged_login", "pool_size",
            "read_only_role", "search_path", "sql");
    private static final Set<String> SQL_KEYS = Set.of("timeout_seconds", "max_rows", "deny_functions", "deny_tables",
            "allow_function_schemas");
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

    private final Function<String, String> env;
    private final SqlLimits agentSql;
    private final List<String> problems;

    private DatasourcesFile(Function<String, String> env, SqlLimits agentSql, List<String> problems) {
        this.env = env;
        this.agentSql = agentSql;
        this.problems = problems;
    }

    /**
     * The datasources {@code file} defines, or an empty list with the reasons in {@code problems}.
     * {@code env} resolves {@code password_env}; {@code agentSql} is what an entry's {@code sql} refines.
     */
    public static List<DatasourceConfig> read(Path file, Function<String, String> env, SqlLimits agentSql,
                                              List<String> problems) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add("DATASOURCES_FILE " + file + " cannot be read: " + e.getMessage());
            return List.of();
        }
        JsonNode root;
        try {
            boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")
                    || text.stripLeading().startsWith("{");
            root = (json ? new ObjectMapper() : new YAMLMapper()).readTree(text);
        } catch (JacksonException e) {
            problems.add("DATASOURCES_FILE " + file + " is neither valid YAML nor JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
            return List.of();
        }
        return new DatasourcesFile(env, agentSql, problems).datasources(root);
    }

    /** With DATASOURCES_FILE, the DB_* variables would be a second, conflicting definition: each one set is named. */
    static void refuseDbVariables(Env env, List<String> problems) {
        env.names().stream().filter(k -> k.startsWith("DB_") && !Env.blank(env.raw(k))).sorted().forEach(k ->
                problems.add(k + " is set together with DATASOURCES_FILE: define every datasource in the file "
                        + "and unset " + k));
    }

    private List<DatasourceConfig> datasources(JsonNode root) {
        JsonNode list = root == null ? null : root.get("datasources");
        if (list == null || !list.isArray() || list.isEmpty()) {
            problems.add("DATASOURCES_FILE must hold {\"datasources\": [ ... ]} with at least one entry");
            return List.of();
        }
        List<DatasourceConfig> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int defaults = 0;
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String where = "DATASOURCES_FILE datasources[" + i + "]";
            if (!entry.isObject()) {
                problems.add(where + " must be an object");
                continue;
            }
            String name = text(entry, "name").orElse("");
            if (!DatasourceConfig.NAME.matcher(name).matches()) {
                problems.add(where + ": name must match " + DatasourceConfig.NAME.pattern() + ", got '" + name + "'");
            } else {
                where = "datasource '" + name + "'";
                if (!names.add(name)) {
                    problems.add(where + " is defined twice");
                }
            }
            boolean isDefault = bool(entry, "default", where);
            defaults += isDefault ? 1 : 0;
            Optional<DatasourceConfig> ds = entry(entry, where, name, isDefault || list.size() == 1);
            ds.ifPresent(result::add);
        }
        if (list.size() > 1 && defaults != 1) {
            problems.add("DATASOURCES_FILE must mark exactly one datasource with default: true, found " + defaults);
        }
        return problems.isEmpty() ? List.copyOf(result) : List.of();
    }

    private Optional<DatasourceConfig> entry(JsonNode entry, String where, String name, boolean isDefault) {
        int before = problems.size();
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.equals("password")) {
                problems.add(where + ": an inline password is not accepted; name the environment variable that "
                        + "holds it with password_env, or a file with password_file");
            } else if (!KEYS.contains(key)) {
                problems.add(where + ": unknown key '" + key + "' (known: " + new java.util.TreeSet<>(KEYS) + ")");
            }
        }
        String dialectName = text(entry, "dialect").orElse("");
        Optional<Dialect> dialect = Dialect.parse(dialectName);
        if (dialect.isEmpty()) {
            problems.add(where + ": dialect must be postgresql or mysql (mariadb), got '" + dialectName + "'");
        }
        boolean mysql = dialect.filter(d -> d == Dialect.MYSQL).isPresent();
        String host = required(entry, "host", where);
        String database = required(entry, "database", where);
        String user = required(entry, "user", where);
        int port = integer(entry, "port", dialect.orElse(Dialect.POSTGRESQL).defaultPort(), 1, 65535, where);
        String password = password(entry, where);
        String ssl = text(entry, "ssl_mode").orElse("prefer").toLowerCase(Locale.ROOT);
        if (!SSL_MODES.contains(ssl)) {
            problems.add(where + ": ssl_mode '" + ssl + "' is not one of " + new java.util.TreeSet<>(SSL_MODES));
        }
        if (mysql && Set.of("mysql", "performance_schema", "sys", "information_schema").contains(database.toLowerCase(Locale.ROOT))) {
            // As DB_NAME: unqualified names would resolve in the server's own schemas.
            problems.add(where + ": database '" + database + "' is a MySQL system schema; name the database to serve");
        }
        Optional<String> role = text(entry, "read_only_role");
        if (mysql && role.isPresent()) {
            // As DB_READONLY_ROLE: MySQL has no per-transaction role switch; the login itself must be read-only.
            problems.add(where + ": read_only_role is PostgreSQL-only; make the user a SELECT-only login "
                    + "(docs/readonly-role-mysql.sql)");
        }
        role.filter(r -> !IDENTIFIER.matcher(r).matches())
                .ifPresent(r -> problems.add(where + ": read_only_role '" + r + "' is not a plain SQL identifier"));
        if (mysql && entry.has("search_path")) {
            // MySQL resolves unqualified names in the login's database only: the key would be silently ignored.
            problems.add(where + ": search_path is PostgreSQL-only; with MySQL, unqualified names resolve in "
                    + "'database', and other databases are named db.table");
        }
        String searchPath = text(entry, "search_path").orElse("public");
        for (String part : searchPath.split(",")) {
            if (!IDENTIFIER.matcher(part.strip()).matches()) {
                problems.add(where + ": search_path must be a comma-separated list of schema names, got '" + searchPath + "'");
                break;
            }
        }
        int pool = integer(entry, "pool_size", 10, 1, 200, where);
        boolean privileged = bool(entry, "allow_privileged_login", where);
        SqlLimits sql = sql(entry.get("sql"), where);
        if (mysql) {
            for (String schema : sql.allowedFunctionSchemas()) {
                if (Set.of("mysql", "sys", "performance_schema", "information_schema").contains(schema.toLowerCase(Locale.ROOT))) {
                    problems.add(where + ": sql.allow_function_schemas may name only the client's own databases, got '"
                            + schema + "' (a MySQL system schema)");
                }
            }
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        DbConfig db = new DbConfig(dialect.get(), host, port, user, password, database, ssl, role, searchPath, pool,
                privileged);
        return Optional.of(new DatasourceConfig(name, isDefault, db, sql, true));
    }

    /** The password from the variable or file the entry names; the value itself is never put in a message. */
    private String password(JsonNode entry, String where) {
        Optional<String> variable = text(entry, "password_env");
        Optional<String> file = text(entry, "password_file");
        if (variable.isPresent() == file.isPresent()) {
            problems.add(where + ": give exactly one of password_env (an environment variable holding the password) "
                    + "and password_file (a file holding it)");
            return "";
        }
        if (variable.isPresent()) {
            String value = env.apply(variable.get());
            if (value == null) {
                problems.add(where + ": password_env names " + variable.get() + ", which is not set");
                return "";
            }
            return value;
        }
        Path path = Path.of(file.get()).toAbsolutePath().normalize();
        try {
            // One trailing newline is the file's, not the password's (echo secret > file).
            return Files.readString(path, StandardCharsets.UTF_8).replaceFirst("\\r?\\n$", "");
        } catch (IOException e) {
            problems.add(where + ": password_file " + path + " cannot be read (" + e.getClass().getSimpleName() + ")");
            return "";
        }
    }

    private SqlLimits sql(JsonNode sql, String where) {
        if (sql == null || sql.isNull()) {
            return agentSql;
        }
        if (!sql.isObject()) {
            problems.add(where + ": sql must be an object with " + new java.util.TreeSet<>(SQL_KEYS));
            return agentSql;
        }
        sql.fieldNames().forEachRemaining(key -> {
            if (!SQL_KEYS.contains(key)) {
                problems.add(where + ": unknown key 'sql." + key + "' (known: " + new java.util.TreeSet<>(SQL_KEYS) + ")");
            }
        });
        int timeout = integer(sql, "timeout_seconds", (int) agentSql.statementTimeout().toSeconds(), 1, 86_400, where + " sql");
        int maxRows = integer(sql, "max_rows", (int) Math.min(Integer.MAX_VALUE, agentSql.maxRows()), 1, 1_000_000_000, where + " sql");
        Set<String> denyFunctions = union(agentSql.extraDeniedFunctions(), list(sql, "deny_functions", where));
        Set<String> denyTables = union(agentSql.extraDeniedTables(), list(sql, "deny_tables", where));
        Set<String> allowSchemas = sql.has("allow_function_schemas")
                ? list(sql, "allow_function_schemas", where) : agentSql.allowedFunctionSchemas();
        for (String schema : allowSchemas) {
            if (schema.equalsIgnoreCase("pg_catalog") || schema.equalsIgnoreCase("information_schema")
                    || schema.startsWith("pg_") || !IDENTIFIER.matcher(schema).matches()) {
                problems.add(where + ": sql.allow_function_schemas may name only the client's own schemas, got '" + schema + "'");
            }
        }
        return new SqlLimits(Duration.ofSeconds(timeout), agentSql.lockTimeout(), agentSql.idleInTransactionTimeout(),
                maxRows, agentSql.fetchSize(), agentSql.maxPreviewRows(), denyFunctions, denyTables,
                agentSql.resultBufferBytes(), allowSchemas);
    }

    /** A datasource's deny-lists add to the agent's: a file cannot allow what SQL_DENY_* denies everywhere. */
    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    private Set<String> list(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        Set<String> items = new LinkedHashSet<>();
        if (value == null || value.isNull()) {
            return items;
        }
        if (!value.isArray()) {
            problems.add(where + ": sql." + key + " must be a list of names");
            return items;
        }
        value.forEach(v -> {
            if (v.isTextual() && !v.textValue().isBlank()) {
                items.add(v.textValue().strip().toLowerCase(Locale.ROOT));
            } else {
                problems.add(where + ": sql." + key + " must hold only non-empty names");
            }
        });
        return items;
    }

    private static Optional<String> text(JsonNode entry, String key) {
        JsonNode v = entry.get(key);
        return v == null || v.isNull() || !v.isValueNode() || v.asText().isBlank() ? Optional.empty() : Optional.of(v.asText().strip());
    }

    private String required(JsonNode entry, String key, String where) {
        Optional<String> v = text(entry, key);
        if (v.isEmpty()) {
            problems.add(where + ": " + key + " is required");
        }
        return v.orElse("");
    }

    private int integer(JsonNode entry, String key, int def, int min, int max, String where) {
        JsonNode v = entry.get(key);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            problems.add(where + ": " + key + " must be a whole number between " + min + " and " + max + ", got '" + v.asText() + "'");
            return def;
        }
        int n = v.intValue();
        if (n < min || n > max) {
            problems.add(where + ": " + key + " must be between " + min + " and " + max + ", got " + n);
            return def;
        }
        return n;
    }

    private boolean bool(JsonNode entry, String key, String where) {
        JsonNode v = entry.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        problems.add(where + ": " + key + " must be true or false, got '" + v.asText() + "'");
        return false;
    }
}
