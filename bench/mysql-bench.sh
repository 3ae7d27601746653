#!/usr/bin/env bash
# Runs the MariaDB benchmarks of issue 15 once and writes docs/benchmarks-mysql-http.md.
#   (a) POST /execute of a 100,000 x 8 query vs `mariadb --batch --quick -e "<query>" > /dev/null`
#   (c) profile of a 1,000,000 x 10 table vs one full scan reading every column
# Needs: the machine's MariaDB at 127.0.0.1:3306 (root, empty password), curl, jq. About 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=dea_bench_my
PORT=18002
TOKEN=bench-token-$(date +%s)-0123456789
RUNS=${RUNS:-7}
OUT=docs/benchmarks-mysql-http.md
MY=(mariadb -h 127.0.0.1 -P 3306 -u root)

JAVA_HOME="$(./dea java)"
./dea build

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2}'; }
now_ms() { date +%s%N | awk '{printf "%.1f", $1 / 1000000}'; }

echo "== preparing data in $DB" >&2
"${MY[@]}" -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB"
"${MY[@]}" $DB < bench/data-mysql.sql >/dev/null

CACHE=$(mktemp -d)
AUDIT=$(mktemp -d)
LOG=$(mktemp)
echo "== starting the agent (-Xmx256m), log in $LOG" >&2
# The bench logs in as root, which the agent refuses without DB_ALLOW_PRIVILEGED_LOGIN.
AGENT_SECRET_TOKEN=$TOKEN AGENT_PORT=$PORT AGENT_HOST=127.0.0.1 DB_DIALECT=mariadb DB_HOST=127.0.0.1 DB_PORT=3306 \
DB_USER=root DB_NAME=$DB DB_ALLOW_PRIVILEGED_LOGIN=true DB_SSL_MODE=disable DB_POOL_SIZE=16 \
CACHE_DIR=$CACHE AUDIT_LOG_PATH=$AUDIT/audit.log PROFILE_SAMPLE_ABOVE_ROWS=100000000 SQL_TIMEOUT_SECONDS=300 \
CACHE_MAX_BYTES=20GB FRAME_MAX_BYTES=2GB LOG_LEVEL=WARN SANDBOX_POOL_SIZE=0 \
    "$JAVA_HOME/bin/java" -Xmx256m -XX:+UseSerialGC -jar agent/target/agent.jar >"$LOG" 2>&1 &
AGENT_PID=$!
trap 'kill $AGENT_PID 2>/dev/null || true; rm -rf "$CACHE" "$AUDIT"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || { cat "$LOG"; echo "agent did not start" >&2; exit 1; }

execute() { # $1 = SQL; prints total seconds, fails on a non-200
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"language\":\"sql\",\"code\":\"$1\"}" "http://127.0.0.1:$PORT/execute"
}

echo "== (a) 100k x 8 end to end" >&2
QA="SELECT * FROM wide_100k"
execute "$QA" >/dev/null || { echo "the agent refused (a)'s query:" >&2; curl -s -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d "{\"language\":\"sql\",\"code\":\"$QA\"}" "http://127.0.0.1:$PORT/execute" >&2; exit 1; }
for _ in $(seq 10); do execute "$QA" >/dev/null; done
A_AGENT=$(for _ in $(seq $RUNS); do execute "$QA"; done | awk '{print $1 * 1000}' | median)
A_CLIENT=$(for _ in $(seq $RUNS); do s=$(now_ms); "${MY[@]}" --batch --quick $DB -e "$QA" >/dev/null; e=$(now_ms); echo "$e - $s" | bc; done | median)

echo "== (c) profile of 1M x 10" >&2
profile() { curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/schema/big_1m/profile${1:-}"; }
C_BODY=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/schema/big_1m/profile")
SAMPLED=$(jq -r .sampled <<<"$C_BODY")
C_HIST=$(jq '[.columns[] | select(.histogram)] | length' <<<"$C_BODY")
C_TOP=$(jq '[.columns[] | select(.top_values)] | length' <<<"$C_BODY")
C_AGENT=$(for _ in 1 2 3; do profile; done | awk '{print $1 * 1000}' | median)
SCAN="SELECT COUNT(id), COUNT(k), COUNT(amount), COUNT(score), COUNT(name), COUNT(hash), COUNT(day), COUNT(at), COUNT(flag), COUNT(small) FROM big_1m IGNORE INDEX (PRIMARY)"
C_SCAN=$(for _ in 1 2 3; do s=$(now_ms); "${MY[@]}" --batch --quick $DB -e "$SCAN" >/dev/null; e=$(now_ms); echo "$e - $s" | bc; done | median)

ratio() { echo "scale=2; $1 / $2" | bc; }
A_RATIO=$(ratio "$A_AGENT" "$A_CLIENT")
C_RATIO=$(ratio "$C_AGENT" "$C_SCAN")
verdict() { if [ "$(echo "$1" | bc)" = 1 ]; then echo "met"; else echo "**not met**"; fi; }

cat > "$OUT" <<MD
# Benchmarks on MariaDB

One run of \`bench/mysql-bench.sh\` at commit $(git rev-parse --short HEAD) on $(date -u +%Y-%m-%d), $(nproc) cores,
$("${MY[@]}" -N -e 'SELECT VERSION()'), agent on $("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | tr -d '"') with
\`-Xmx256m -XX:+UseSerialGC\`, default settings otherwise. Client, agent and MariaDB share the same 2 cores.
Times are medians ($RUNS runs for (a) after 10 for warm-up, 3 for (c)). Data: bench/data-mysql.sql (the shapes of bench/data.sql).

| | agent | baseline | ratio | goal | |
| --- | --- | --- | --- | --- | --- |
| (a) \`POST /execute\` of \`$QA\` (100,000 x 8), end to end incl. frame write + 1,000-row preview | ${A_AGENT} ms | \`mariadb --batch --quick -e "$QA" > /dev/null\`: ${A_CLIENT} ms | ${A_RATIO}x | <= 2x | $(verdict "$A_RATIO <= 2") |
| (c) profile \`GET /schema/big_1m/profile\` (1,000,000 x 10, sampled: ${SAMPLED}; ${C_HIST} histograms, top values of ${C_TOP} columns) | ${C_AGENT} ms | one full scan reading every column (\`$SCAN\`, the client command): ${C_SCAN} ms | ${C_RATIO}x | <= 3x | $(verdict "$C_RATIO <= 3") |

Reproduce with \`bash bench/mysql-bench.sh\` (it creates the MariaDB database \`$DB\`).
MD
cat "$OUT"
