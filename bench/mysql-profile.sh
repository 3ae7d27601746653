#!/usr/bin/env bash
# Benchmark (c) for MySQL/MariaDB: profile of a 1,000,000 x 10 table vs one full scan.
# Needs the machine's MariaDB (TEST_MARIADB_HOST/PORT, default 127.0.0.1:3306, root) and a JDK 21+.
# Creates and drops a fresh database mysqlschema_it_bench_*; prints BENCH lines (docs/benchmarks-mysql.md).
set -euo pipefail
cd "$(dirname "$0")/../agent"
JAVA_HOME="${JAVA_HOME:-$(../dea java)}" mvn -B -q test -Dtest=MySqlProfileBench -Dsurefire.failIfNoSpecifiedTests=false
grep -h '^BENCH' target/surefire-reports/dev.dea.profile.mysql.MySqlProfileBench-output.txt
