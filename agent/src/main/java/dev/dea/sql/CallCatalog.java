package dev.dea.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What one PostgreSQL server can call: its functions, operators, the functions its casts and
 * type inputs run, and its keywords, read from the system catalogs. The guard decides on
 * this rather than on a list written into the agent because the set differs per server
 * version and per installed extension, and a list written here could only ever deny.
 */
public final class CallCatalog {

    /** One function (or aggregate, or window function) of pg_proc. */
    record Function(String schema, String name, char volatility, int minArgs, int maxArgs) {
        Function {
            requireNonNull(schema, "schema");
            requireNonNull(name, "name");
        }

        boolean takesOneArgument() {
            return minArgs <= 1 && maxArgs >= 1;
        }
    }

    /** An operator and the function that implements it. */
    record Operator(String schema, String name, String functionSchema, String function) {
        Operator {
            requireNonNull(schema, "schema");
            requireNonNull(name, "name");
            requireNonNull(functionSchema, "functionSchema");
            requireNonNull(function, "function");
        }
    }

    /** A function that converting a value to {@code type} may run: its input function or a cast's function. */
    record TypeConversion(String type, String functionSchema, String function) {
        TypeConversion {
            requireNonNull(type, "type");
            requireNonNull(functionSchema, "functionSchema");
            requireNonNull(function, "function");
        }
    }

    private final List<Function> functions;
    private final List<Operator> operators;
    private final List<TypeConversion> conversions;
    private final Map<String, Character> keywords;
    private final String serverVersion;

    CallCatalog(List<Function> functions, List<Operator> operators, List<TypeConversion> conversions,
                Map<String, Character> keywords, String serverVersion) {
        this.functions = List.copyOf(functions);
        this.operators = List.copyOf(operators);
        this.conversions = List.copyOf(conversions);
        this.keywords = Map.copyOf(keywords);
        this.serverVersion = requireNonNull(serverVersion, "serverVersion");
    }

    // Procedures (prokind 'p') are left out: CALL is not a query, and a procedure is no function.
    private static final String FUNCTIONS_SQL = """
            SELECT n.nspname, p.proname, p.provolatile,
                   CASE WHEN p.provariadic <> 0 THEN p.pronargs - 1 ELSE p.pronargs - p.pronargdefaults END,
                   CASE WHEN p.provariadic <> 0 THEN 2147483647 ELSE p.pronargs END
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE p.prokind <> 'p'""";

    private static final String OPERATORS_SQL = """
            SELECT n.nspname, o.oprname, fn.nspname, f.proname
            FROM pg_catalog.pg_operator o
            JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
            JOIN pg_catalog.pg_proc f ON f.oid = o.oprcode
            JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace""";

    private static final String CONVERSIONS_SQL = """
            SELECT t.typname, fn.nspname, f.proname
            FROM pg_catalog.pg_type t
            JOIN pg_catalog.pg_proc f ON f.oid = t.typinput
            JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace
            UNION
            SELECT t.typname, fn.nspname, f.proname
            FROM pg_catalog.pg_cast c
            JOIN pg_catalog.pg_type t ON t.oid = c.casttarget
            JOIN pg_catalog.pg_proc f ON f.oid = c.castfunc
            JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace""";

    /** Reads the catalog through {@code connection}; four queries, a few thousand rows. */
    public static CallCatalog load(Connection connection) throws SQLException {
        List<Function> functions = new ArrayList<>();
        List<Operator> operators = new ArrayList<>();
        List<TypeConversion> conversions = new ArrayList<>();
        Map<String, Character> keywords = new HashMap<>();
        String version;
        try (Statement s = connection.createStatement()) {
            try (ResultSet rs = s.executeQuery(FUNCTIONS_SQL)) {
                while (rs.next()) {
                    functions.add(new Function(rs.getString(1), rs.getString(2), rs.getString(3).charAt(0),
                            rs.getInt(4), rs.getInt(5)));
                }
            }
            try (ResultSet rs = s.executeQuery(OPERATORS_SQL)) {
                while (rs.next()) {
                    operators.add(new Operator(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            try (ResultSet rs = s.executeQuery(CONVERSIONS_SQL)) {
                while (rs.next()) {
                    conversions.add(new TypeConversion(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT word, catcode FROM pg_catalog.pg_get_keywords()")) {
                while (rs.next()) {
                    keywords.put(rs.getString(1), rs.getString(2).charAt(0));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('server_version')")) {
                rs.next();
                version = rs.getString(1);
            }
        }
        return new CallCatalog(functions, operators, conversions, keywords, version);
    }

    List<Function> functions() {
        return functions;
    }

    List<Operator> operators() {
        return operators;
    }

    List<TypeConversion> conversions() {
        return conversions;
    }

    /** PostgreSQL's keyword category: 'U' unreserved, 'C' column name, 'T' type or function name, 'R' reserved; null for none. */
    Character keywordCategory(String word) {
        return keywords.get(word);
    }

    public String serverVersion() {
        return serverVersion;
    }

    @Override
    public String toString() {
        return "CallCatalog[PostgreSQL " + serverVersion + ", " + functions.size() + " functions, "
                + operators.size() + " operators]";
    }
}
