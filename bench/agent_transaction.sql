-- pgbench script for the (b) ceiling: the statements PostgreSQL runs for one agent request
-- (db/Database.readOnly + the point query), without HTTP, JSON, guard, frame or audit.
-- The values are bench/run.sh's: SQL_TIMEOUT_SECONDS=300 and the default lock, idle and search_path settings.
\set aid random(1, 100000 * :scale)
BEGIN READ ONLY;
SELECT set_config('statement_timeout', '300000', true), set_config('lock_timeout', '5000', true), set_config('idle_in_transaction_session_timeout', '60000', true), set_config('search_path', 'public', true);
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
ROLLBACK;
