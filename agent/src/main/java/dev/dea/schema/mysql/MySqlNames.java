package dev.dea.schema.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** MySQL identifier spelling: backticks only where an identifier needs them, as PostgreSQL's quote_ident does. */
public final class MySqlNames {
    // The reserved words a table or column is most likely to be named after; quoting more than needed is harmless.
    private static final Set<String> RESERVED = Set.of("add", "all", "alter", "and", "as", "asc", "between", "by",
            "case", "change", "check", "column", "condition", "constraint", "create", "cross", "database", "default",
            "delete", "desc", "describe", "distinct", "div", "drop", "else", "exists", "from", "function", "group",
            "having", "in", "index", "inner", "insert", "interval", "into", "is", "join", "key", "keys", "left",
            "like", "limit", "lock", "match", "mod", "natural", "not", "null", "on", "option", "or", "order", "outer",
            "partition", "range", "read", "references", "rank", "recursive", "rename", "replace", "right", "row",
            "rows", "schema", "select", "set", "show", "table", "then", "to", "trigger", "union", "unique", "update",
            "usage", "use", "using", "values", "when", "where", "window", "with", "write");

    private MySqlNames() {
    }

    public static String quote(String identifier) {
        boolean plain = identifier.matches("[A-Za-z_$][A-Za-z0-9_$]*")
                && !RESERVED.contains(identifier.toLowerCase(Locale.ROOT));
        return plain ? identifier : always(identifier);
    }

    /** Always backticked: for SQL the agent builds itself, where readability does not matter. */
    public static String always(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    public static String qualified(String database, String table) {
        return quote(database) + "." + quote(table);
    }

    /** The values of {@code enum('a','b''c')} or {@code set(...)}: quotes doubled or backslash-escaped inside. */
    public static List<String> enumValues(String columnType) {
        int open = columnType.indexOf('(');
        int close = columnType.lastIndexOf(')');
        List<String> out = new ArrayList<>();
        if (open < 0 || close < open) {
            return out;
        }
        String body = columnType.substring(open + 1, close);
        StringBuilder sb = null;
        for (int i = 0; i < body.length(); i++) {
            char ch = body.charAt(i);
            if (sb == null) {
                if (ch == '\'') {
                    sb = new StringBuilder();
                }
            } else if (ch == '\\' && i + 1 < body.length()) {
                sb.append(body.charAt(++i));
            } else if (ch == '\'') {
                if (i + 1 < body.length() && body.charAt(i + 1) == '\'') {
                    sb.append('\'');
                    i++;
                } else {
                    out.add(sb.toString());
                    sb = null;
                }
            } else {
                sb.append(ch);
            }
        }
        return out;
    }
}
