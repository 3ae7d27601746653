#!/usr/bin/env bash
# Profiles of UUID-keyed (CHAR(36)) 900,000- and 3,000,000-row tables vs one full scan, on MariaDB.
# Needs the machine's MariaDB (TEST_MARIADB_HOST/PORT, default 127.0.0.1:3306, root) and a JDK 21+.
# Creates and drops a fresh database mysqlschema_it_bench_uuid_*; prints BENCH lines (docs/benchmarks-mysql.md).
set -euo pipefail
cd "$(dirname "$0")/../agent"
JAVA_HOME="${JAVA_HOME:-$(../dea java)}" mvn -B -q test -Dtest=MySqlTextKeyProfileBench -Dsurefire.failIfNoSpecifiedTests=false
grep -h '^BENCH' target/surefire-reports/dev.dea.profile.mysql.MySqlTextKeyProfileBench-output.txt
