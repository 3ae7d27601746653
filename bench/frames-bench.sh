#!/usr/bin/env bash
# Frames at scale (issue 16) -> docs/benchmarks-frames.md, one run, warm pool, default limits
# (256 MB, 0.5 CPU), the pool full before each step:
#   result_df = input_data['d'].describe()   on cached frames of 1,000 / 100,000 / 1,000,000 rows
#   result_df = input_data['d']               on the 100,000-row frame (returned unchanged)
#   and, for comparison, the same 100,000 rows returned in reverse order (every column named by the
#   input rows it holds, gathered by the agent) and with one column added (the other 8 named, not
#   sent: docs/sandbox-protocol.md)
# Frames are 8 mixed columns (int, float, numeric, text, low-cardinality text, date, timestamptz,
# bool) cached by /execute from a generated PostgreSQL table, so the benchmark needs no dataset.
# Needs: Docker with dea-sandbox:latest, PostgreSQL at 127.0.0.1:5432 (trust, user postgres), curl, jq.
# Env: N (timed calls per small step, 10), N_LARGE (calls of the 1M step, 5), WARMUP (untimed calls before
# each step, 5: the JIT compiles the agent's frame paths, as in a running agent), PORT (18012), SKIP_BUILD=1, OUT,
# JAR (another build to compare, e.g. an earlier commit's; implies SKIP_BUILD=1).
set -euo pipefail
cd "$(dirname "$0")/.."

export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
N=${N:-10}
N_LARGE=${N_LARGE:-5}
WARMUP=${WARMUP:-5}
PORT=${PORT:-18012}
OUT=${OUT:-docs/benchmarks-frames.md}
DB=dea_bench_frames
TOKEN=frames-bench-$(date +%s)-0123456789
URL=http://127.0.0.1:$PORT

JAR=${JAR:-}
if [ -z "$JAR" ] && [ "${SKIP_BUILD:-0}" != 1 ]; then
    (cd agent && mvn -B -q -DskipTests package)
fi

psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB"
psql -h 127.0.0.1 -U postgres -d "$DB" -q <<'SQL'
CREATE TABLE IF NOT EXISTS wide AS
SELECT g AS id,
       (g % 9973) * 1.37 AS amount,
       ((g % 100000) / 7.0)::numeric(12, 2) AS price,
       'customer-' || g AS name,
       (ARRAY['north', 'south', 'east', 'west', 'central'])[1 + g % 5] AS region,
       DATE '2020-01-01' + (g % 1500) AS day,
       TIMESTAMPTZ '2020-01-01 00:00:00+00' + g * INTERVAL '17 seconds' AS at,
       g % 3 = 0 AS flag
FROM generate_series(1, 1000000) AS g;
SQL

pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(p/100*NR + 0.999999); if (i < 1) i = 1; printf "%.0f", a[i]}'; }

AGENT_PID=
CACHE=$(mktemp -d)
LOG=$(mktemp)
stop_agent() {
    if [ -n "$AGENT_PID" ]; then kill "$AGENT_PID" 2>/dev/null || true; wait "$AGENT_PID" 2>/dev/null || true; fi
    rm -rf "$CACHE"
}
trap stop_agent EXIT

# As the superuser postgres, which the agent refuses without DB_ALLOW_PRIVILEGED_LOGIN. Default limits otherwise.
AGENT_SECRET_TOKEN=$TOKEN AGENT_PORT=$PORT AGENT_HOST=127.0.0.1 DB_HOST=127.0.0.1 DB_USER=postgres \
DB_ALLOW_PRIVILEGED_LOGIN=true DB_NAME=$DB DB_SSL_MODE=disable CACHE_DIR=$CACHE LOG_LEVEL=${AGENT_LOG_LEVEL:-WARN} LOG_FORMAT=${AGENT_LOG_FORMAT:-text} \
SANDBOX_POOL_SIZE=2 SQL_TIMEOUT_SECONDS=300 \
    "$JAVA_HOME/bin/java" -jar "${JAR:-agent/target/agent.jar}" >"$LOG" 2>&1 &
AGENT_PID=$!
for _ in $(seq 1 120); do curl -sf "$URL/health" >/dev/null && break; sleep 0.5; done
curl -sf "$URL/health" >/dev/null || { cat "$LOG"; echo "agent did not start" >&2; exit 1; }

wait_pool() { for _ in $(seq 1 1200); do [ "$(curl -s "$URL/health" | jq -r '.sandbox.pooled // 0')" -ge 2 ] && return 0; sleep 0.05; done
              echo "the pool did not fill" >&2; exit 1; }

frame() { # $1 = rows
    curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"language\":\"sql\",\"code\":\"SELECT * FROM wide ORDER BY id LIMIT $1\"}" "$URL/execute" \
        | jq -r '.cache_key // .result.cache_key // empty'
}

# Prints the seconds of one step, or FAIL:<error type>.
step() { # $1 = cache key, $2 = code
    local body out code
    body=$(mktemp)
    out=$(curl -s -o "$body" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' \
        -d "{\"code\":\"$2\",\"cache_keys\":{\"d\":\"$1\"}}" "$URL/execute-on-data")
    code=${out%% *}
    if [ "$code" = 200 ]; then echo "${out#* }"; else
        echo "step failed: HTTP $code: $(head -c 500 "$body")" >&2
        echo "FAIL:$(jq -r '.detail.type // .error.type // .type // "?"' "$body" 2>/dev/null || echo "HTTP $code")"; fi
    rm -f "$body"
}

DESCRIBE="result_df = input_data['d'].describe()"
UNCHANGED="result_df = input_data['d']"
REVERSED="result_df = input_data['d'].iloc[::-1]"
ADDED="result_df = input_data['d'].assign(id2=lambda d: d.id * 2)"
declare -A P50 P95 RUNS FAILED
measure() { # $1 = label, $2 = key, $3 = code, $4 = runs
    local times=() t
    for _ in $(seq "$WARMUP"); do wait_pool; step "$2" "$3" >/dev/null; done   # page cache, JIT
    for _ in $(seq "$4"); do
        wait_pool
        t=$(step "$2" "$3")
        case $t in FAIL:*) FAILED[$1]=${t#FAIL:}; echo "$1: $t" >&2; return 0;; esac
        times+=("$t")
    done
    P50[$1]=$(printf '%s\n' "${times[@]}" | awk '{print $1 * 1000}' | pct 50)
    P95[$1]=$(printf '%s\n' "${times[@]}" | awk '{print $1 * 1000}' | pct 95)
    RUNS[$1]=$4
    echo "$1: p50 ${P50[$1]} ms" >&2
}

K1=$(frame 1000); K100=$(frame 100000); K1M=$(frame 1000000)
for k in "$K1" "$K100" "$K1M"; do [ -n "$k" ] || { echo "no cache key from /execute" >&2; exit 1; }; done
measure d1k "$K1" "$DESCRIBE" "$N"
measure d100k "$K100" "$DESCRIBE" "$N"
measure d1m "$K1M" "$DESCRIBE" "$N_LARGE"
measure r100k "$K100" "$UNCHANGED" "$N"
measure v100k "$K100" "$REVERSED" "$N"
measure a100k "$K100" "$ADDED" "$N"

cell() { if [ -n "${FAILED[$1]:-}" ]; then echo "fails: \`${FAILED[$1]}\`"; else echo "${P50[$1]} / ${P95[$1]}"; fi; }
ratio() { if [ -n "${P50[$1]:-}" ]; then awk -v a="${P50[$1]}" -v b="${P50[d1k]}" 'BEGIN {printf "%.1fx", a / b}'; else echo "-"; fi; }
verdict() { # $1 = label, $2 = max ratio
    if [ -z "${P50[$1]:-}" ]; then echo "**not met** (fails)"; return; fi
    awk -v a="${P50[$1]}" -v b="${P50[d1k]}" -v m="$2" 'BEGIN {r = a / b; printf (r <= m ? "**met** (%.1fx)" : "**not met** (%.1fx)"), r}'
}

RESULTS=$(cat <<MD
| step on a cached frame (8 columns) | runs | now: p50 / p95 ms | now vs 1,000-row step | before (issue 16, JSON rows) |
|---|---|---|---|---|
| \`describe()\`, 1,000 rows | ${RUNS[d1k]:-0} | $(cell d1k) | 1.0x | 52 ms |
| \`describe()\`, 100,000 rows | ${RUNS[d100k]:-0} | $(cell d100k) | $(ratio d100k) | 2,097 ms (40x) |
| \`describe()\`, 1,000,000 rows | ${RUNS[d1m]:-0} | $(cell d1m) | $(ratio d1m) | fails: \`MEMORY_LIMIT\` at 256 MB |
| \`result_df = input_data['d']\`, 100,000 rows returned | ${RUNS[r100k]:-0} | $(cell r100k) | $(ratio r100k) | 4,677 ms (90x) |
| the same in reverse order, \`.iloc[::-1]\` (every column named by its input rows) | ${RUNS[v100k]:-0} | $(cell v100k) | $(ratio v100k) | - |
| the same with a column added, \`.assign(id2=...)\` | ${RUNS[a100k]:-0} | $(cell a100k) | $(ratio a100k) | - |

Goals: 100,000-row step <= 4x the 1,000-row step: $(verdict d100k 4). Returning 100,000 rows <= 4x:
$(verdict r100k 4). 1,000,000-row step succeeds at 256 MB and <= 30x: $(verdict d1m 30). The 1,000-row
step no slower than before (52 ms): $([ -n "${P50[d1k]:-}" ] && [ "${P50[d1k]}" -le 52 ] && echo "**met** (${P50[d1k]} ms)" || echo "**not met** (${P50[d1k]:-?} ms)").

Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //;s/ [0-9]*-Core.*//')), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM,
Docker $(docker version -f '{{.Server.Version}}' 2>/dev/null), image $(docker image inspect -f '{{.Id}}' dea-sandbox:latest | cut -c8-19),
limits 256 MB / 0.5 CPU (the defaults), pool 2, $(date -u +%F).
MD
)

if [ -f "$OUT" ] && grep -q '<!-- results -->' "$OUT"; then
    python3 - "$OUT" "$RESULTS" <<'PY'
import sys
path, results = sys.argv[1], sys.argv[2]
text = open(path).read()
head, rest = text.split("<!-- results -->", 1)
tail = rest.split("<!-- /results -->", 1)[1]
open(path, "w").write(head + "<!-- results -->\n" + results + "\n<!-- /results -->" + tail)
PY
else
    printf '%s\n' "$RESULTS"
fi
