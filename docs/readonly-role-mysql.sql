-- Least-privilege access for the Data Execution Agent on MySQL 8 or MariaDB 10.6+.
--
-- Edit the three placeholders (the login name dea_agent, its password, and the database
-- analytics_db), then run as an administrative login:
--   mariadb -u root -p < docs/readonly-role-mysql.sql      (or: mysql -u root -p < ...)
-- and configure the agent with DB_DIALECT=mysql (or mariadb), DB_USER=dea_agent,
-- DB_PASSWORD=<that password>, DB_NAME=analytics_db.
--
-- The agent already runs every statement in a READ ONLY session and a READ ONLY transaction
-- that is rolled back, behind the MySQL SQL guard (docs/sql-guard-mysql.md). This login is the
-- third wall: even a statement that slipped past both could not write, because it may only SELECT.
--
-- The agent refuses a privileged login, read from the login's own SHOW GRANTS: ALL PRIVILEGES
-- on anything, any global (ON *.*) privilege other than USAGE, SELECT, SHOW VIEW and SHOW
-- DATABASES (so SUPER, FILE, PROCESS, global INSERT/UPDATE/DELETE/CREATE/DROP/ALTER... each
-- named), WITH GRANT OPTION, and PROXY. It checks at start-up and on every new connection.
-- DB_ALLOW_PRIVILEGED_LOGIN=true accepts such a login anyway, with a warning at every start
-- and the privileges listed in /health: only for a trusted test setup.
-- A global SELECT (ON *.*) is not refused, but doctor warns about it: it reads the mysql
-- system database, whose grant tables hold every account's password hash (the SQL guard
-- refuses those tables; grant SELECT per served database, as below, and it need not).

-- 1. A login that can do nothing by itself. '%' admits it from any host: narrow it to the
-- agent's address where you can ('dea_agent'@'10.0.0.5'). The connection limit must cover
-- DB_POOL_SIZE + 2 (the /health connection and, briefly at start-up, the privilege check).
CREATE USER 'dea_agent'@'%' IDENTIFIED BY 'CHANGE-ME-to-a-long-random-password'
    WITH MAX_USER_CONNECTIONS 20;

-- 2. Read access to the one database the agent serves: SELECT on its tables and views (SHOW
-- VIEW lets the schema endpoints show view definitions). Nothing global, no GRANT OPTION.
GRANT SELECT, SHOW VIEW ON `analytics_db`.* TO 'dea_agent'@'%';

-- Or, narrower, table by table (repeat per table; new tables then stay invisible):
--   GRANT SELECT ON `analytics_db`.`orders` TO 'dea_agent'@'%';
-- Columns the agent must never see stay out of a column-level grant:
--   GRANT SELECT (id, placed_at, total) ON `analytics_db`.`customers` TO 'dea_agent'@'%';

-- Grant directly, not through roles: the agent judges the login by its own SHOW GRANTS.
-- Never grant this login: FILE (reads and writes the server's files), SUPER, PROCESS,
-- any INSERT/UPDATE/DELETE/CREATE/DROP/ALTER/EXECUTE, LOCK TABLES, or WITH GRANT OPTION.
-- `SHOW GRANTS FOR 'dea_agent'@'%';` should list only USAGE on *.* and the grants above.
