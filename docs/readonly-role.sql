-- Least-privilege access for the Data Execution Agent.
--
-- Run as a superuser (or the owner of the schemas) in the database the agent reads:
--   psql -v agent_password='<a long random password>' -d analytics_db -f docs/readonly-role.sql
-- then configure the agent with DB_USER=dea_agent, DB_PASSWORD=<that password>.
--
-- The agent already runs every statement in a READ ONLY transaction that is rolled back,
-- behind a SQL guard. This role is the third wall: even a statement that slipped past
-- both could not write, because the role owns nothing and may only SELECT.
--
-- The agent refuses a privileged login: a superuser, a role with BYPASSRLS, or a member
-- (directly or through other roles) of pg_read_server_files, pg_write_server_files,
-- pg_execute_server_program, pg_signal_backend, pg_read_all_settings, pg_read_all_stats,
-- pg_read_all_data or pg_write_all_data, or of a superuser or BYPASSRLS role.
-- It checks at start-up and on every new connection, and stops (or reports the database
-- unusable) naming the privilege. This role has none of them, so never GRANT those roles to it.
-- DB_ALLOW_PRIVILEGED_LOGIN=true makes the agent accept such a login anyway, with a warning
-- at every start and the privileges listed in /health: only for a trusted test setup.

-- 1. A login role that owns nothing, inherits nothing and cannot create anything.
-- The connection limit must cover DB_POOL_SIZE + 2 (the /health connection and, briefly at
-- start-up, the privilege check).
CREATE ROLE dea_agent LOGIN PASSWORD :'agent_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 20;

-- Server-side limits as a safety net under the agent's own (SQL_TIMEOUT_SECONDS etc.).
ALTER ROLE dea_agent SET default_transaction_read_only = on;
ALTER ROLE dea_agent SET statement_timeout = '60s';
ALTER ROLE dea_agent SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE dea_agent SET lock_timeout = '5s';

-- 2. Nothing by default: no temporary tables, no objects in public.
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO dea_agent;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- 3. Read access, schema by schema. Repeat for every schema the platform may analyse.
GRANT USAGE ON SCHEMA public TO dea_agent;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO dea_agent;
-- Tables created later by the schema owner become readable too (run as that owner).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO dea_agent;

-- 4. Optional: keep some data out of reach entirely, e.g. a column of personal data:
--   REVOKE SELECT ON customers FROM dea_agent;
--   GRANT SELECT (customer_id, country, segment) ON customers TO dea_agent;
-- or a whole table:
--   REVOKE SELECT ON payroll FROM dea_agent;

-- 5. Verify: this must fail with "cannot execute INSERT in a read-only transaction"
--    or "permission denied":
--   SET ROLE dea_agent; CREATE TABLE t(x int); RESET ROLE;
