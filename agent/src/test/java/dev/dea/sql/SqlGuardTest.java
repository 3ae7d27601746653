package dev.dea.sql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.error.SqlRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlGuardTest {

    private static final SqlGuard GUARD = TestGuards.guard(Set.of(), Set.of());

    static void assertRejected(SqlGuard guard, String sql, String rule) {
        assertThatThrownBy(() -> guard.check(sql))
                .as("%s", sql)
                .isInstanceOfSatisfying(SqlRejectedException.class, e -> {
                    assertThat(e.rule()).as("rule for %s (%s)", sql, e.getMessage()).isEqualTo(rule);
                    assertThat(e.type()).isEqualTo(ErrorType.SQL_REJECTED);
                    assertThat(e.details()).containsEntry("rule", rule);
                    assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
                });
    }

    private static void assertRejected(String sql, String rule) {
        assertRejected(GUARD, sql, rule);
    }

    // ---- text validation -------------------------------------------------------------

    @Test
    void rejectsMissingTextAsValidationError() {
        assertThatThrownBy(() -> GUARD.check(null))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\t  \r\n"})
    void rejectsBlankTextAsValidationError(String sql) {
        assertThatThrownBy(() -> GUARD.check(sql))
                .isNotInstanceOf(SqlRejectedException.class)
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR));
    }

    @Test
    void rejectsTextOverOneMegabyteAsValidationError() {
        String sql = "SELECT 1 -- " + "x".repeat(SqlGuard.MAX_SQL_BYTES);
        assertThatThrownBy(() -> GUARD.check(sql))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR));
    }

    @Test
    void measuresTheLimitInUtf8Bytes() {
        // 400k three-byte characters: under a million chars, over a million bytes.
        String sql = "SELECT '" + "€".repeat(400_000) + "'";
        assertThatThrownBy(() -> GUARD.check(sql))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR));
    }

    @Test
    void acceptsLargeStatementsUnderTheLimit() {
        String columns = IntStream.range(0, 10_000).mapToObj(i -> "amount * " + i + " AS c" + i)
                .collect(Collectors.joining(", "));
        GuardedStatement statement = GUARD.check("SELECT " + columns + " FROM payment");
        assertThat(statement.tables()).containsExactly("payment");
    }

    // ---- empty_statement ---------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "-- only a comment",
            "/* only a block comment */",
            ";",
            " ; ;; ",
            "/* nested /* comments */ are one comment */ ;",
            "-- one\n-- two\n;\n"})
    void rejectsEmptyStatement(String sql) {
        assertRejected(sql, "empty_statement");
    }

    // ---- parse_error -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT (1",
            "SELECT 1)",
            "WITH x AS (SELECT 1) garbage UPDATE t SET a = 1",
            "SELECT 'unterminated",
            "SELECT 1 /* unterminated comment",
            "SELECT $x$ unterminated dollar quote",
            "SELECT \"unterminated identifier"})
    void rejectsTextThatCannotBeParsed(String sql) {
        assertRejected(sql, "parse_error");
    }

    @Test
    void parseErrorMessageGivesTheParsersShortReason() {
        assertThatThrownBy(() -> GUARD.check("WITH x AS (SELECT 1) garbage UPDATE t SET a = 1"))
                .isInstanceOf(SqlRejectedException.class)
                .hasMessageStartingWith("the guard could not parse the statement")
                .hasMessageContaining("garbage")
                .hasMessageNotContaining("\n");
    }

    @Test
    void rejectsParsingThatExceedsTheTimeoutAsParseError() {
        SqlGuard impatient = TestGuards.guard(Set.of(), Set.of(), Duration.ofMillis(1));
        String columns = IntStream.range(0, 20_000).mapToObj(i -> "c" + i + " + " + i)
                .collect(Collectors.joining(", "));
        assertThatThrownBy(() -> impatient.check("SELECT " + columns + " FROM t"))
                .isInstanceOfSatisfying(SqlRejectedException.class, e -> assertThat(e.rule()).isEqualTo("parse_error"))
                .hasMessageContaining("longer than 1 ms");
    }

    /**
     * Constructs on which JSqlParser's lexer and PostgreSQL's disagree (or PostgreSQL's own
     * reading depends on standard_conforming_strings), so the parsed tree might not be what
     * PostgreSQL runs: the guard refuses them outright.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT E'it\\'s'",
            "SELECT 'a\\'' , pg_sleep(1) --'",
            "SELECT 'C:\\'",
            "SELECT E'\\'' , pg_sleep(1) --'",
            "SELECT E'\\'' , (SELECT rolpassword FROM pg_authid LIMIT 1) --'",
            "SELECT U&\"pg\\005fsleep\"(1)",
            "SELECT {fn pg_sleep(1)}",
            "SELECT 1 // , pg_sleep(1)\n"})
    void rejectsLexicalTricksTheParserWouldMisreadAsParseError(String sql) {
        assertRejected(sql, "parse_error");
    }

    // ---- multiple_statements / statement_count_mismatch ---------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT 1; SELECT 2",
            "SELECT 1; DELETE FROM payment",
            "SELECT 1 -- a comment\n; DELETE FROM payment",
            "SELECT 1 /* a comment */; DROP TABLE film",
            "SELECT 1;;SELECT 2",
            "SELECT 'a\\'; DELETE FROM payment; -- '",
            "SELECT 1 /* /* nested */ */; DELETE FROM payment",
            "BEGIN; SELECT 1; COMMIT",
            "SELECT 1; VACUUM FULL"})
    void rejectsMultipleStatements(String sql) {
        assertRejected(sql, "multiple_statements");
    }

    /** JSqlParser also splits on SQL*Plus "/" and T-SQL "GO" lines; PostgreSQL does not. */
    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1\n/\nSELECT 2", "SELECT 1\nGO\nSELECT 2"})
    void rejectsStatementCountMismatchBetweenDriverAndParser(String sql) {
        assertRejected(sql, "statement_count_mismatch");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT 'a;b'",
            "SELECT $$x;y$$",
            "SELECT $tag$ x; DELETE FROM payment; $tag$",
            "SELECT $a$ $$; DELETE FROM payment; $$ $a$",
            "SELECT \"a;b\" FROM film",
            "SELECT 1 /* ; DELETE FROM payment */",
            "SELECT 1 /* /* */ ; DELETE FROM payment; */",
            "SELECT 1 -- ; DELETE FROM payment",
            "SELECT 'O''Reilly; DROP TABLE film; --'",
            "SELECT 1;",
            "SELECT 1; -- a trailing comment is not a statement"})
    void treatsSemicolonsInsideLiteralsAndCommentsAsText(String sql) {
        assertThat(GUARD.check(sql).sql()).isEqualTo(sql);
    }

    // ---- not_a_query -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "INSERT INTO payment VALUES (1)",
            "UPDATE film SET title = 'x'",
            "DELETE FROM payment",
            "/* comment first */ delete from payment",
            "(DELETE FROM payment)",
            "MERGE INTO film f USING film g ON f.film_id = g.film_id WHEN MATCHED THEN DELETE",
            "INSERT INTO film SELECT * FROM film ON CONFLICT DO NOTHING",
            "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
            "WITH x AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM x)",
            "CREATE TABLE t (id int)",
            "CREATE TABLE t AS SELECT * FROM film",
            "ALTER TABLE film ADD COLUMN x int",
            "DROP TABLE film",
            "TRUNCATE payment",
            "COMMENT ON TABLE film IS 'x'",
            "GRANT SELECT ON film TO public",
            "REVOKE SELECT ON film FROM public",
            "COPY film TO STDOUT",
            "COPY (SELECT 1) TO '/tmp/x'",
            "CALL do_something()",
            "EXECUTE prepared_one",
            "DO $$ BEGIN DELETE FROM payment; END $$",
            "EXPLAIN ANALYZE DELETE FROM payment",
            "EXPLAIN SELECT 1",
            "SHOW search_path",
            "VACUUM film",
            "ANALYZE film",
            "LOCK TABLE film",
            "LISTEN channel",
            "NOTIFY channel",
            "PREPARE p AS SELECT 1",
            "REFRESH MATERIALIZED VIEW v",
            "DECLARE c CURSOR FOR SELECT 1",
            "DISCARD ALL",
            "CHECKPOINT"})
    void rejectsStatementsThatAreNotQueries(String sql) {
        assertRejected(sql, "not_a_query");
    }

    // ---- data_modifying_cte ------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "WITH d AS (DELETE FROM payment RETURNING *) SELECT * FROM d",
            "WITH i AS (INSERT INTO film (title) VALUES ('x') RETURNING film_id) SELECT * FROM i",
            "WITH u AS (UPDATE film SET title = 'x' RETURNING film_id) SELECT count(*) FROM u",
            "with d as materialized (delete from payment returning *) select * from d",
            "WITH d AS NOT MATERIALIZED (DELETE FROM payment RETURNING *) SELECT * FROM d",
            "WITH a AS (SELECT 1), d AS (DELETE FROM payment RETURNING *) SELECT * FROM a, d",
            "WITH m AS (MERGE INTO film f USING film g ON f.film_id = g.film_id WHEN MATCHED THEN DELETE RETURNING *) SELECT * FROM m",
            "SELECT 1 FROM (WITH d AS (DELETE FROM payment RETURNING *) SELECT * FROM d) s",
            "SELECT * FROM (SELECT * FROM (SELECT * FROM (WITH d AS (UPDATE film SET title = 'x' RETURNING *) SELECT * FROM d) a) b) c",
            "SELECT * FROM film WHERE film_id IN (WITH d AS (DELETE FROM film RETURNING film_id) SELECT film_id FROM d)"})
    void rejectsDataModifyingCte(String sql) {
        assertRejected(sql, "data_modifying_cte");
    }

    // ---- select_into -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * INTO new_table FROM film",
            "select title into \"New\" from film",
            "SELECT title INTO TEMP t2 FROM film",
            "SELECT title INTO UNLOGGED TABLE t2 FROM film",
            "WITH x AS (SELECT * FROM film) SELECT * INTO y FROM x",
            "SELECT (SELECT title INTO t2 FROM film LIMIT 1)"})
    void rejectsSelectInto(String sql) {
        assertRejected(sql, "select_into");
    }

    // ---- locking_clause ----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM film FOR UPDATE",
            "SELECT * FROM film FOR NO KEY UPDATE",
            "SELECT * FROM film FOR SHARE",
            "SELECT * FROM film FOR KEY SHARE",
            "select * from film for update of film skip locked",
            "SELECT * FROM film FOR UPDATE NOWAIT",
            "SELECT * FROM (SELECT * FROM film FOR UPDATE) s",
            "(SELECT film_id FROM film FOR UPDATE) UNION SELECT film_id FROM inventory",
            "WITH x AS (SELECT * FROM film FOR SHARE) SELECT * FROM x",
            "SELECT * FROM film WHERE film_id IN (SELECT film_id FROM inventory FOR KEY SHARE)"})
    void rejectsLockingClause(String sql) {
        assertRejected(sql, "locking_clause");
    }

    // ---- parameter_placeholder -----------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT $1",
            "SELECT * FROM film WHERE film_id = $1 AND title = $2",
            "select * from film where film_id in (select $12)"})
    void rejectsParameterPlaceholders(String sql) {
        assertRejected(sql, "parameter_placeholder");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT $$ $1 $$ AS dollar_quoted",
            "SELECT $tag$ $1 $tag$",
            "SELECT '$1' AS text, \"$1\" FROM (SELECT 1 AS \"$1\") s -- $1"})
    void acceptsDollarSignsThatAreNotPlaceholders(String sql) {
        assertThat(GUARD.check(sql).sql()).isEqualTo(sql);
    }

    // ---- transaction_control / set_statement --------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "BEGIN", "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE", "START TRANSACTION READ WRITE",
            "COMMIT", "ROLLBACK", "SAVEPOINT s", "RELEASE SAVEPOINT s", "ROLLBACK TO SAVEPOINT s",
            "END", "ABORT", "SET TRANSACTION READ WRITE",
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
            "PREPARE TRANSACTION 'x'", "COMMIT PREPARED 'x'"})
    void rejectsTransactionControl(String sql) {
        assertRejected(sql, "transaction_control");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SET search_path = evil, public",
            "SET LOCAL statement_timeout = 0",
            "set default_transaction_read_only = off",
            "SET statement_timeout TO 0",
            "SET ROLE postgres",
            "SET SESSION AUTHORIZATION postgres",
            "RESET ALL",
            "RESET ROLE"})
    void rejectsSetStatement(String sql) {
        assertRejected(sql, "set_statement");
    }

    // ---- denied_function ---------------------------------------------------------------

    /** A denied call wherever an expression or a FROM item can go. */
    static Stream<String> deniedCallsInEveryPosition() {
        return Stream.of(
                "SELECT pg_sleep(1)",
                "SELECT * FROM film WHERE pg_sleep(1) IS NULL",
                "SELECT rating, count(*) FROM film GROUP BY rating HAVING pg_sleep(1) IS NULL",
                "SELECT * FROM film ORDER BY pg_sleep(1)",
                "SELECT count(*) FROM film GROUP BY pg_sleep(1)",
                "SELECT * FROM film f JOIN inventory i ON pg_sleep(1) IS NULL",
                "SELECT row_number() OVER (PARTITION BY pg_sleep(1)) FROM film",
                "SELECT rank() OVER w FROM film WINDOW w AS (ORDER BY pg_sleep(1))",
                "SELECT CASE WHEN pg_sleep(1) IS NULL THEN 1 END",
                "SELECT CAST(pg_sleep(1) AS text)",
                "SELECT pg_sleep(1)::text::int",
                "SELECT lower(upper(pg_sleep(1)::text))",
                "SELECT * FROM film WHERE film_id IN (SELECT pg_sleep(1))",
                "SELECT EXISTS (SELECT pg_sleep(1))",
                "WITH x AS (SELECT pg_sleep(1)) SELECT * FROM x",
                "SELECT * FROM (VALUES (pg_sleep(1))) v",
                "SELECT * FROM film f, LATERAL (SELECT pg_sleep(1)) x",
                "SELECT * FROM film f, LATERAL pg_sleep(1)",
                "SELECT * FROM pg_sleep(1)",
                "SELECT * FROM ROWS FROM (generate_series(1, 2), pg_sleep(1))",
                "SELECT ARRAY[pg_sleep(1)]",
                "SELECT sum(length) FILTER (WHERE pg_sleep(1) IS NULL) FROM film",
                "SELECT string_agg(title, ',' ORDER BY pg_sleep(1)) FROM film",
                "SELECT DISTINCT ON (pg_sleep(1)) title FROM film",
                "SELECT * FROM film LIMIT pg_sleep(1)",
                "SELECT * FROM film OFFSET pg_sleep(1)",
                "SELECT json_build_object('a', pg_sleep(1))",
                "SELECT * FROM xmltable('/a' PASSING pg_sleep(1) COLUMNS a int)",
                "SELECT (pg_sleep(1)).x",
                "SELECT pg_sleep(1) OVER ()",
                "SELECT 1 UNION SELECT pg_sleep(1)",
                "SELECT 1 FROM film WHERE film_id = (SELECT 1 FROM inventory WHERE inventory_id = "
                        + "(SELECT 1 FROM rental WHERE rental_id = (SELECT pg_sleep(1))))");
    }

    @ParameterizedTest
    @MethodSource("deniedCallsInEveryPosition")
    void rejectsDeniedFunctionAnywhere(String sql) {
        assertRejected(sql, "denied_function");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT PG_SLEEP(1)",
            "SELECT Pg_Sleep(1)",
            "SELECT \"PG_SLEEP\"(1)",
            "SELECT \"pg_sleep\"(1)",
            "SELECT pg_catalog.pg_sleep(1)",
            "SELECT \"pg_catalog\".\"pg_sleep\"(1)",
            "SELECT PG_CATALOG.PG_SLEEP(1)",
            "SELECT pg_sleep /* a comment */ (1)",
            "SELECT pg_sleep\n(1)"})
    void rejectsDeniedFunctionHoweverWritten(String sql) {
        assertRejected(sql, "denied_function");
    }

    /** Calls a naive reader would take for part of a comment or a dollar quote; PostgreSQL runs them. */
    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT x$$ , pg_sleep(1) , y$$ FROM (SELECT 1 AS x$$, 2 AS y$$) s",
            "SELECT 1 --a comment ended by a carriage return\r, pg_sleep(1)"})
    void rejectsDeniedFunctionOutsideWhatLooksLikeACommentOrQuote(String sql) {
        assertRejected(sql, "denied_function");
    }

    /**
     * JSqlParser reads q'[...]' as one Oracle-style string; PostgreSQL reads code between two
     * strings. The tree has no call, but the names PostgreSQL sees are audited against it.
     */
    @Test
    void rejectsDeniedNamesTheParserReadAsText() {
        assertRejected("SELECT q'[' , pg_sleep(1) , ']'", "denied_function");
        assertRejected("SELECT q'[' , (SELECT count(*) FROM pg_authid) , ']'", "denied_table");
        // One lo_x( is the alias's column list; the other is a call the tree did not see.
        assertRejected("SELECT q'[' , lo_x(1) , ']' FROM generate_series(1, 2) AS lo_x(a)", "denied_function");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT pg_sleep_for('1 second')", "SELECT pg_sleep_until(now() + interval '1 second')",
            "SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a int)", "SELECT dblink_exec('host=x', 'DROP TABLE t')",
            "SELECT pg_read_file('/etc/passwd')", "SELECT * FROM pg_read_file('/etc/passwd')",
            "SELECT pg_read_binary_file('/etc/passwd')", "SELECT * FROM pg_ls_dir('.')", "SELECT pg_stat_file('x')",
            "SELECT pg_file_write('x', 'y', false)", "SELECT lo_import('/etc/passwd')", "SELECT lo_export(1, '/tmp/x')",
            "SELECT loread(0, 1)", "SELECT lowrite(0, 'x')", "SELECT set_config('search_path', 'evil', false)",
            "SELECT pg_advisory_lock(1)", "SELECT pg_try_advisory_xact_lock(1)", "SELECT pg_notify('c', 'x')",
            "SELECT pg_cancel_backend(1)", "SELECT pg_terminate_backend(1)", "SELECT pg_reload_conf()",
            "SELECT pg_rotate_logfile()", "SELECT pg_signal_backend(1, 15)", "SELECT pg_log_backend_memory_contexts(1)",
            "SELECT txid_current()", "SELECT pg_current_xact_id()", "SELECT nextval('s')", "SELECT setval('s', 1)",
            "SELECT query_to_xml('DELETE FROM payment RETURNING 1', true, true, '')",
            "SELECT query_to_xml_and_xmlschema('SELECT 1', true, true, '')", "SELECT table_to_xml('film', true, true, '')",
            "SELECT database_to_xmlschema(true, true, '')", "SELECT cursor_to_xml('c', 1, true, true, '')",
            "SELECT ts_stat('SELECT fulltext FROM film')", "SELECT pg_switch_wal()", "SELECT pg_create_restore_point('x')",
            "SELECT pg_promote()", "SELECT pg_backup_start('x')", "SELECT pg_stop_backup()",
            "SELECT pg_logical_emit_message(true, 'x', 'y')", "SELECT pg_replication_origin_create('x')",
            "SELECT pg_create_logical_replication_slot('s', 'pgoutput')", "SELECT pg_drop_replication_slot('s')",
            "SELECT pg_import_system_collations('pg_catalog')"})
    void rejectsEveryBuiltInDeniedFunctionFamily(String sql) {
        assertRejected(sql, "denied_function");
    }

    // ---- denied_table ------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM pg_authid",
            "SELECT * FROM pg_catalog.pg_authid",
            "SELECT * FROM \"pg_catalog\".\"pg_authid\"",
            "SELECT rolpassword FROM PG_CATALOG.PG_AUTHID",
            "SELECT passwd FROM pg_shadow",
            "SELECT * FROM pg_user_mapping",
            "SELECT * FROM pg_user_mappings",
            "SELECT * FROM pg_largeobject",
            "SELECT * FROM pg_file_settings",
            "SELECT * FROM pg_hba_file_rules",
            "SELECT r.rolname FROM pg_roles r JOIN pg_catalog.pg_shadow s ON s.usesysid = r.oid",
            "SELECT * FROM film WHERE EXISTS (SELECT 1 FROM pg_authid)",
            "SELECT * FROM film WHERE title IN (SELECT rolname FROM pg_authid)",
            "SELECT title FROM film UNION SELECT rolname FROM pg_authid",
            "WITH x AS (SELECT * FROM pg_authid) SELECT * FROM x",
            "SELECT * FROM film f, LATERAL (SELECT * FROM pg_catalog.pg_user_mappings) m",
            "SELECT * FROM (SELECT * FROM (SELECT * FROM (SELECT * FROM pg_authid) a) b) c",
            // A CTE only shadows within its own query, and "PG_AUTHID" is not pg_authid.
            "SELECT * FROM (WITH pg_authid AS (SELECT 1) SELECT * FROM pg_authid) s, pg_authid",
            "WITH \"PG_AUTHID\" AS (SELECT 1) SELECT * FROM pg_authid",
            // JSqlParser reads "(TABLE x) a" as a table named TABLE aliased x: such a FROM item
            // cannot be checked, and the alias x must not vouch for the denied name.
            "SELECT rolname, rolpassword FROM (TABLE pg_authid) a",
            "SELECT * FROM film f JOIN (TABLE pg_catalog.pg_authid) a ON true",
            "SELECT * FROM (TABLE film) f",
            "SELECT * FROM information_schema.user_mapping_options",
            "SELECT setconfig FROM pg_db_role_setting",
            // pg_roles.rolconfig and pg_user.useconfig are pg_db_role_setting's per-role settings.
            "SELECT rolname, rolconfig FROM pg_roles",
            "SELECT * FROM pg_catalog.\"pg_roles\"",
            "SELECT useconfig FROM PG_USER",
            "SELECT to_json(r) FROM pg_roles r"})
    void rejectsDeniedTable(String sql) {
        assertRejected(sql, "denied_table");
    }

    // ---- accepted queries --------------------------------------------------------------

    /** Analytics over Pagila and Chinook, and the PostgreSQL syntax such queries use. */
    static Stream<String> readQueries() {
        return Stream.of(
                """
                SELECT c.customer_id, c.first_name, c.last_name, sum(p.amount) AS total
                FROM customer c JOIN payment p ON p.customer_id = c.customer_id
                GROUP BY c.customer_id, c.first_name, c.last_name ORDER BY total DESC LIMIT 10""",
                """
                SELECT customer_id, payment_date, amount,
                       sum(amount) OVER (PARTITION BY customer_id ORDER BY payment_date
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_total
                FROM payment""",
                "SELECT date_trunc('month', payment_date) AS month, count(*), round(avg(amount), 2) FROM payment GROUP BY 1 ORDER BY 1",
                """
                SELECT c.customer_id, top.amount, top.payment_date
                FROM customer c CROSS JOIN LATERAL (
                    SELECT p.amount, p.payment_date FROM payment p
                    WHERE p.customer_id = c.customer_id ORDER BY p.amount DESC LIMIT 3) AS top""",
                """
                WITH RECURSIVE months(m) AS (
                    SELECT date '2022-01-01'
                    UNION ALL
                    SELECT (m + interval '1 month')::date FROM months WHERE m < date '2022-12-01')
                SELECT m.m, coalesce(sum(p.amount), 0) FROM months m
                LEFT JOIN payment p ON date_trunc('month', p.payment_date) = m.m
                GROUP BY m.m ORDER BY m.m""",
                """
                SELECT s.store_id, c.active, count(*) FROM customer c JOIN store s USING (store_id)
                GROUP BY GROUPING SETS ((s.store_id, c.active), (s.store_id), ())""",
                """
                SELECT cat.name, f.rating, count(*) FROM film f
                JOIN film_category fc ON fc.film_id = f.film_id JOIN category cat ON cat.category_id = fc.category_id
                GROUP BY ROLLUP (cat.name, f.rating)""",
                "SELECT rating, rental_duration, count(*) FROM film GROUP BY CUBE (rating, rental_duration)",
                "SELECT DISTINCT ON (customer_id) customer_id, payment_date, amount FROM payment ORDER BY customer_id, payment_date DESC",
                "SELECT staff_id, count(*) FILTER (WHERE amount > 5) AS big, count(*) AS total FROM payment GROUP BY staff_id",
                """
                SELECT * FROM (
                    SELECT f.title, cat.name AS category, f.length,
                           rank() OVER (PARTITION BY cat.name ORDER BY f.length DESC) AS rnk
                    FROM film f JOIN film_category fc USING (film_id) JOIN category cat USING (category_id)) ranked
                WHERE rnk <= 3""",
                "SELECT title FROM film WHERE title ILIKE '%love%' ORDER BY title FETCH FIRST 5 ROWS ONLY",
                """
                SELECT rental_id, return_date - rental_date AS duration, extract(day FROM return_date - rental_date)::int AS days
                FROM rental WHERE return_date IS NOT NULL AND rental_date > timestamp '2022-01-01' - interval '1 year'""",
                "SELECT film_id, special_features, array_length(special_features, 1) FROM film WHERE 'Trailers' = ANY (special_features)",
                "SELECT a.first_name, a.last_name FROM actor a WHERE NOT EXISTS (SELECT 1 FROM film_actor fa WHERE fa.actor_id = a.actor_id)",
                "SELECT first_name FROM actor UNION SELECT first_name FROM customer INTERSECT SELECT first_name FROM staff EXCEPT ALL SELECT 'X'",
                "SELECT * FROM film TABLESAMPLE SYSTEM (10) REPEATABLE (42)",
                "SELECT json_build_object('id', customer_id, 'name', first_name) ->> 'name' AS name, to_jsonb(c) -> 'email' FROM customer c LIMIT 5",
                "SELECT rating, string_agg(title, ', ' ORDER BY title), percentile_cont(0.5) WITHIN GROUP (ORDER BY length) FROM film GROUP BY rating",
                """
                WITH monthly AS (
                    SELECT customer_id, date_trunc('month', payment_date) AS month, sum(amount) AS total FROM payment GROUP BY 1, 2),
                ranked AS (SELECT *, dense_rank() OVER (PARTITION BY month ORDER BY total DESC) AS r FROM monthly)
                SELECT * FROM ranked WHERE r = 1""",
                """
                SELECT v.code, v.label, count(f.film_id)
                FROM (VALUES ('G', 'General'), ('PG', 'Parental')) AS v(code, label)
                LEFT JOIN film f ON f.rating::text = v.code GROUP BY v.code, v.label""",
                "TABLE category",
                "VALUES (1, 'one'), (2, 'two')",
                "SELECT 'a;b' AS with_semicolon, $$x;y$$ AS dollar, $tag$ it's; $tag$ AS tagged",
                "(SELECT film_id FROM film ORDER BY film_id LIMIT 1) UNION ALL (SELECT film_id FROM inventory ORDER BY film_id DESC LIMIT 1)",
                "/* leading comment; with a semicolon */ SELECT count(*) -- trailing; comment\nFROM film;",
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
                "SELECT nspname FROM pg_namespace ORDER BY 1",
                "SELECT d::date FROM generate_series(date '2022-01-01', date '2022-01-07', interval '1 day') AS g(d)",
                "SELECT * FROM unnest(ARRAY['a', 'b']) WITH ORDINALITY AS u(letter, n)",
                "SELECT CASE WHEN length > 120 THEN 'long' WHEN length > 60 THEN 'medium' ELSE 'short' END AS bucket, count(*) FROM film GROUP BY 1",
                "SELECT f.title, (SELECT count(*) FROM inventory i WHERE i.film_id = f.film_id) AS copies FROM film f",
                "SELECT \"c\".\"first_name\" FROM \"public\".\"customer\" AS \"c\" WHERE \"c\".\"active\" = 1",
                "SELECT title FROM film WHERE fulltext @@ to_tsquery('english', 'drama')",
                "SELECT pg_catalog.upper(title), pg_catalog.length(title) FROM film LIMIT 1",
                "SELECT 1 FOR READ ONLY",
                "WITH pg_shadow AS (SELECT 1 AS x) SELECT x FROM pg_shadow",
                "SELECT lo_range.n FROM generate_series(1, 3) AS lo_range(n)",
                "SELECT c.relname FROM pg_class pg_authid JOIN pg_class c ON c.oid = pg_authid.oid",
                """
                SELECT ar.name AS artist, count(t.track_id) AS tracks, sum(il.unit_price * il.quantity) AS revenue
                FROM artist ar JOIN album al ON al.artist_id = ar.artist_id JOIN track t ON t.album_id = al.album_id
                LEFT JOIN invoice_line il ON il.track_id = t.track_id
                GROUP BY ar.name ORDER BY revenue DESC NULLS LAST LIMIT 10""",
                """
                WITH RECURSIVE chain AS (
                    SELECT employee_id, reports_to, first_name, 1 AS depth FROM employee WHERE reports_to IS NULL
                    UNION ALL
                    SELECT e.employee_id, e.reports_to, e.first_name, c.depth + 1 FROM employee e JOIN chain c ON e.reports_to = c.employee_id)
                SELECT * FROM chain ORDER BY depth""",
                """
                SELECT billing_country, date_part('year', invoice_date) AS year, sum(total),
                       lag(sum(total)) OVER (PARTITION BY billing_country ORDER BY date_part('year', invoice_date))
                FROM invoice GROUP BY 1, 2""",
                "SELECT g.name, ntile(4) OVER (ORDER BY avg(t.milliseconds)) FROM genre g JOIN track t USING (genre_id) GROUP BY g.name");
    }

    @ParameterizedTest
    @MethodSource("readQueries")
    void acceptsReadQueriesAndReturnsTheOriginalText(String sql) {
        GuardedStatement statement = GUARD.check(sql);
        assertThat(statement.sql()).isSameAs(sql);
    }

    @Test
    void reportsTablesAndFunctionsOfAJoinWithAggregates() {
        GuardedStatement s = GUARD.check("""
                SELECT c.customer_id, SUM(p.amount) AS total, RANK() OVER (ORDER BY sum(p.amount) DESC)
                FROM public.Customer c JOIN payment p ON p.customer_id = c.customer_id GROUP BY c.customer_id""");
        assertThat(s.tables()).containsExactly("payment", "public.customer");
        assertThat(s.functions()).containsExactly("rank", "sum");
    }

    @Test
    void reportsTablesWithoutCteNames() {
        GuardedStatement s = GUARD.check("""
                WITH monthly AS (SELECT customer_id, sum(amount) AS total FROM payment GROUP BY 1),
                     best AS (SELECT * FROM monthly WHERE total > 100)
                SELECT b.*, c.first_name FROM best b JOIN customer c USING (customer_id)""");
        assertThat(s.tables()).containsExactly("customer", "payment");
        assertThat(s.functions()).containsExactly("sum");
    }

    @Test
    void reportsARecursiveCteReferenceAsNoTable() {
        GuardedStatement s = GUARD.check(
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r");
        assertThat(s.tables()).isEmpty();
    }

    @Test
    void reportsATableThatOnlyALaterCteIsNamedAfter() {
        // Without RECURSIVE a CTE sees only the ones before it, so "b" in "a" is a table.
        GuardedStatement s = GUARD.check("WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a, b");
        assertThat(s.tables()).containsExactly("b");
    }

    @Test
    void reportsFunctionsWithoutSchemaAndTableFunctionsAsFunctions() {
        GuardedStatement s = GUARD.check("""
                SELECT PG_CATALOG.UPPER(f.title), "pg_catalog"."lower"(f.title), g.n
                FROM Public.Film f, generate_series(1, 3) AS g(n), unnest(ARRAY[1]) u""");
        assertThat(s.tables()).containsExactly("public.film");
        assertThat(s.functions()).containsExactly("generate_series", "lower", "unnest", "upper");
    }

    @Test
    void reportsLowerCasedQuotedNames() {
        GuardedStatement s = GUARD.check("SELECT \"Title\" FROM \"Music\".\"Album\" JOIN artist USING (artist_id)");
        assertThat(s.tables()).containsExactly("artist", "music.album");
    }

    @Test
    void isSafeToCallConcurrently() throws Exception {
        List<String> accepted = readQueries().toList();
        List<String> denied = deniedCallsInEveryPosition().toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String sql = i % 2 == 0 ? accepted.get(i % accepted.size()) : denied.get(i % denied.size());
                boolean expectAccepted = i % 2 == 0;
                results.add(pool.submit(() -> {
                    try {
                        GUARD.check(sql);
                        return expectAccepted;
                    } catch (SqlRejectedException e) {
                        return !expectAccepted && e.rule().equals("denied_function");
                    }
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
