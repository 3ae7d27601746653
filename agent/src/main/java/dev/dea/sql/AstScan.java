package dev.dea.sql;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.WindowDefinition;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.ForMode;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;

import static java.util.Objects.requireNonNull;

/**
 * Walks every field of every JSqlParser node rather than using JSqlParser's visitors: the
 * library has a few hundred node types and its adapters do not descend everywhere, while a
 * denied table that the walk misses is a hole. Calls are judged on the tokens by
 * {@link CallRules}; the deny-list check of calls here is a second reading of the same
 * statement, kept because it costs nothing on a walk that runs anyway. Walking fields means
 * a node type added or overlooked is still searched. The walk is iterative so that deep nesting cannot overflow
 * the request thread's stack.
 */
final class AstScan {

    /** The rules a parsed tree can break, in the order they are reported when several apply. */
    enum Rule {
        NOT_A_QUERY("not_a_query"),
        DATA_MODIFYING_CTE("data_modifying_cte"),
        SELECT_INTO("select_into"),
        LOCKING_CLAUSE("locking_clause"),
        DENIED_FUNCTION("denied_function"),
        DENIED_TABLE("denied_table");

        final String code;

        Rule(String code) {
            this.code = code;
        }
    }

    record Violation(Rule rule, String message) {
        Violation {
            requireNonNull(rule, "rule");
            requireNonNull(message, "message");
        }
    }

    /** CTE names visible at a point of the tree, in {@link PgNames#fold} form. */
    private record Scope(Set<String> names, Scope parent) {
        boolean contains(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.names.contains(name)) {
                    return true;
                }
            }
            return false;
        }
    }

    private record Frame(Object node, Scope scope, boolean inCte) {
    }

    private static final String AST_PACKAGE = "net.sf.jsqlparser.";
    private static final String PARSER_PACKAGE = "net.sf.jsqlparser.parser.";

    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && c.getName().startsWith(AST_PACKAGE); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic() && !f.getType().isPrimitive()) {
                        fields.add(f);
                    }
                }
            }
            AccessibleObject.setAccessible(fields.toArray(new Field[0]), true);
            return List.copyOf(fields);
        }
    };

    private final DenyList deny;
    private final SortedSet<String> relations = new TreeSet<>();
    private final Map<String, Integer> mentions = new HashMap<>();
    private final Map<Rule, String> violations = new EnumMap<>(Rule.class);
    private final Deque<Frame> stack = new ArrayDeque<>();
    private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());

    private AstScan(DenyList deny) {
        this.deny = deny;
    }

    static AstScan scan(Statement statement, DenyList deny) {
        AstScan scan = new AstScan(requireNonNull(deny, "deny"));
        scan.walk(requireNonNull(statement, "statement"));
        return scan;
    }

    /** Relations read, CTE references excluded: {@code schema.table} or {@code table}, lower case. */
    SortedSet<String> relations() {
        return relations;
    }

    /** How often an identifier (lower case) appears in the tree as a name of any kind. */
    int mentions(String key) {
        return mentions.getOrDefault(key, 0);
    }

    Violation violation() {
        return violations.entrySet().stream()
                .findFirst()
                .map(e -> new Violation(e.getKey(), e.getValue()))
                .orElse(null);
    }

    private void walk(Statement root) {
        stack.push(new Frame(root, null, false));
        while (!stack.isEmpty()) {
            Frame frame = stack.pop();
            Object node = frame.node();
            if (node instanceof Map.Entry<?, ?> entry) {
                push(entry.getKey(), frame.scope(), frame.inCte());
                push(entry.getValue(), frame.scope(), frame.inCte());
                continue;
            }
            if (!seen.add(node)) {
                continue;
            }
            if (node instanceof Collection<?> items) {
                items.forEach(item -> push(item, frame.scope(), frame.inCte()));
            } else if (node instanceof Map<?, ?> map) {
                map.forEach((k, v) -> {
                    push(k, frame.scope(), frame.inCte());
                    push(v, frame.scope(), frame.inCte());
                });
            } else if (node instanceof Object[] array) {
                for (Object item : array) {
                    push(item, frame.scope(), frame.inCte());
                }
            }
            if (isAstNode(node)) {
                visit(node, frame);
            }
        }
    }

    private void visit(Object node, Frame frame) {
        Set<String> skip = new HashSet<>();
        Scope scope = frame.scope();
        boolean inCte = frame.inCte();

        if (node instanceof Statement && !(node instanceof Select)) {
            if (inCte) {
                report(Rule.DATA_MODIFYING_CTE, "a WITH clause may only contain SELECT; found "
                        + statementKind(node) + " (data-modifying CTEs are not allowed)");
            } else {
                report(Rule.NOT_A_QUERY, "only read queries are allowed; found " + statementKind(node));
            }
            return;
        }
        if (node instanceof Table table) {
            skip.add("resolvedTable");
            visitTable(table, scope);
        }
        if (node instanceof Column column) {
            // The qualifier of a column names a FROM item, it does not read a table.
            skip.add("table");
            skip.add("resolvedTable");
            mentionTable(column.getTable());
            mention(column.getColumnName());
        }
        if (node instanceof AllTableColumns all) {
            skip.add("table");
            mentionTable(all.getTable());
        }
        if (node instanceof Function function) {
            visitFunctionName(function.getMultipartName());
        }
        if (node instanceof AnalyticExpression analytic) {
            visitFunctionName(PgNames.splitQualified(analytic.getName()));
            mention(analytic.getWindowName());
        }
        if (node instanceof WindowDefinition window) {
            mention(window.getWindowName());
        }
        if (node instanceof Alias alias) {
            mention(alias.getName());
            List<Alias.AliasColumn> columns = alias.getAliasColumns();
            if (columns != null && !columns.isEmpty()) {
                columns.forEach(c -> mention(c.name));
            }
        }
        if (node instanceof WithItem<?>) {
            inCte = true;
        }
        if (node instanceof PlainSelect plain) {
            skip.add("intoTables");
            if ((plain.getIntoTables() != null && !plain.getIntoTables().isEmpty())
                    || plain.getIntoTempTable() != null || plain.getMySqlSelectIntoClause() != null) {
                report(Rule.SELECT_INTO, TextRules.SELECT_INTO_MESSAGE);
            }
        }
        if (node instanceof Select select) {
            skip.add("forUpdateTables");
            visitLocking(select);
            scope = visitWith(select, scope, skip);
        }
        pushFields(node, skip, scope, inCte);
    }

    private void visitTable(Table table, Scope scope) {
        List<String> parts = table.getNameParts();
        if (parts != null) {
            parts.forEach(this::mention);
        }
        String name = PgNames.fold(table.getName());
        if (name == null || name.isEmpty()) {
            return;
        }
        if (table.getSchemaName() == null && "table".equals(table.getName().toLowerCase(Locale.ROOT))) {
            // Unquoted TABLE is reserved in PostgreSQL: this is JSqlParser misreading a
            // "(TABLE name)" FROM item as a table named TABLE aliased name. The tree does not
            // show the real relation, and the alias would vouch for a denied name in
            // TextRules.auditNames (aliases count as mentions, so that "FROM pg_class pg_authid"
            // stays usable).
            report(Rule.DENIED_TABLE, "a (TABLE name) FROM item cannot be checked; write (SELECT * FROM name)");
            return;
        }
        String schema = PgNames.fold(table.getSchemaName());
        if (schema == null && scope != null && scope.contains(name)) {
            return;
        }
        String tableKey = PgNames.key(table.getName());
        String schemaKey = schema == null ? null : PgNames.key(table.getSchemaName());
        String relation = schemaKey == null ? tableKey : schemaKey + "." + tableKey;
        relations.add(relation);
        if (deny.deniedRelation(schemaKey, tableKey) != null) {
            report(Rule.DENIED_TABLE, "reading " + relation + " is not allowed");
        }
    }

    private void visitFunctionName(List<String> nameParts) {
        if (nameParts == null || nameParts.isEmpty()) {
            return;
        }
        nameParts.forEach(this::mention);
        String last = nameParts.get(nameParts.size() - 1);
        String name = PgNames.key(last);
        if (name == null || name.isEmpty()) {
            return;
        }
        if (deny.deniesFunction(name)) {
            report(Rule.DENIED_FUNCTION, "calling " + name + "() is not allowed");
        }
    }

    private void visitLocking(Select select) {
        ForMode mode = select.getForMode();
        boolean lockingMode = mode != null && mode != ForMode.READ_ONLY && mode != ForMode.FETCH_ONLY;
        List<Table> lockedTables = select.getForUpdateTables();
        if (lockedTables != null) {
            lockedTables.forEach(this::mentionTable);
        }
        if (lockingMode || (lockedTables != null && !lockedTables.isEmpty())) {
            report(Rule.LOCKING_CLAUSE, TextRules.LOCKING_MESSAGE);
        }
    }

    /**
     * Pushes the WITH items with the names each may see (earlier siblings, or all of them
     * under RECURSIVE, as PostgreSQL resolves them) and returns the scope of the query body.
     */
    private Scope visitWith(Select select, Scope outer, Set<String> skip) {
        List<WithItem<?>> items = select.getWithItemsList();
        if (items == null || items.isEmpty()) {
            return outer;
        }
        skip.add("withItemsList");
        boolean recursive = items.stream().filter(Objects::nonNull).anyMatch(WithItem::isRecursive);
        List<String> names = new ArrayList<>();
        for (WithItem<?> item : items) {
            names.add(item == null ? null : PgNames.fold(item.getAliasName()));
        }
        Scope full = new Scope(nonNullSet(names), outer);
        for (int k = 0; k < items.size(); k++) {
            Scope visible = recursive ? full : new Scope(nonNullSet(names.subList(0, k)), outer);
            push(items.get(k), visible, true);
        }
        return full;
    }

    private void pushFields(Object node, Set<String> skip, Scope scope, boolean inCte) {
        for (Field field : FIELDS.get(node.getClass())) {
            if (skip.contains(field.getName())) {
                continue;
            }
            Object value;
            try {
                value = field.get(node);
            } catch (IllegalAccessException e) {
                // Not reachable after setAccessible; refusing beats skipping a subtree unseen.
                throw new IllegalStateException("cannot read " + field, e);
            }
            push(value, scope, inCte);
        }
    }

    private void push(Object value, Scope scope, boolean inCte) {
        if (value == null || value instanceof CharSequence || value instanceof Number
                || value instanceof Boolean || value instanceof Character || value instanceof Enum<?>) {
            return;
        }
        if (value instanceof Collection<?> || value instanceof Map<?, ?> || value instanceof Map.Entry<?, ?>
                || value instanceof Object[] || isAstNode(value)) {
            stack.push(new Frame(value, scope, inCte));
        }
    }

    private static boolean isAstNode(Object value) {
        String name = value.getClass().getName();
        return name.startsWith(AST_PACKAGE) && !name.startsWith(PARSER_PACKAGE) && !(value instanceof Enum<?>);
    }

    private void mentionTable(Table table) {
        if (table != null && table.getNameParts() != null) {
            table.getNameParts().forEach(this::mention);
        }
    }

    private void mention(String name) {
        for (String part : PgNames.splitQualified(name)) {
            count(mentions, PgNames.key(part));
        }
    }

    private static void count(Map<String, Integer> counts, String key) {
        if (key != null && !key.isEmpty()) {
            counts.merge(key, 1, Integer::sum);
        }
    }

    private void report(Rule rule, String message) {
        violations.putIfAbsent(rule, message);
    }

    private static Set<String> nonNullSet(List<String> names) {
        Set<String> set = new HashSet<>();
        for (String name : names) {
            if (name != null) {
                set.add(name);
            }
        }
        return set;
    }

    private static String statementKind(Object statement) {
        String name = statement.getClass().getSimpleName();
        name = name.startsWith("Parenthesed") ? name.substring("Parenthesed".length()) : name;
        return name.toUpperCase(Locale.ROOT);
    }
}
