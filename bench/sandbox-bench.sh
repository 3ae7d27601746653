#!/usr/bin/env bash
# Sandbox warm-pool benchmark (one run, same image and limits) -> docs/benchmarks-sandbox.md
#   (1) POST /execute-on-data of a trivial step on a cached 1,000-row frame, agent with SANDBOX_POOL_SIZE=2,
#       sequential with the pool full before each call (the steady state of interactive use)
#   (2) the same back to back, faster than the pool refills (shows the fall-back to cold starts)
#   (3) the same with SANDBOX_POOL_SIZE=0 (every request starts its container)
#   (4) plain `docker run --rm --network none ... python3 -c "import pandas"` with the same limits
# The two agents run one after the other: an agent reaps other agents' sandbox containers at start.
# Needs: Docker with dea-sandbox:latest, PostgreSQL at 127.0.0.1:5432 with dea_it_pagila, curl, jq.
# Env: N (timed calls, 30), WARMUP (5), DOCKER_RUNS (10), PORT (18011), SKIP_BUILD=1, OUT.
set -euo pipefail
cd "$(dirname "$0")/.."

export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
N=${N:-30}
WARMUP=${WARMUP:-5}
DOCKER_RUNS=${DOCKER_RUNS:-10}
PORT=${PORT:-18011}
OUT=${OUT:-docs/benchmarks-sandbox.md}
TOKEN=sandbox-bench-$(date +%s)-0123456789
IMAGE=dea-sandbox:latest
URL=http://127.0.0.1:$PORT
# The agent's defaults (ConfigLoader), spelled out so the plain docker run uses the same limits.
MEM_MB=256 CPUS=0.5 PIDS=64 TMPFS_MB=64

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    mvn -B -q -DskipTests package
fi

pct() { # $1 = percentile; stdin = numbers; nearest rank
    sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(p/100*NR + 0.999999); if (i < 1) i = 1; printf "%.1f", a[i]}'
}
ms() { awk '{printf "%.1f\n", $1 * 1000}'; }

AGENT_PID=
CACHE=
stop_agent() {
    if [ -n "$AGENT_PID" ]; then
        kill "$AGENT_PID" 2>/dev/null || true
        wait "$AGENT_PID" 2>/dev/null || true
        AGENT_PID=
    fi
    if [ -n "$CACHE" ]; then rm -rf "$CACHE"; CACHE=; fi
}
trap stop_agent EXIT

pooled() { curl -s "$URL/health" | jq -r '.sandbox.pooled // 0'; }

start_agent() { # $1 = pool size; $2 = log file
    CACHE=$(mktemp -d)
    # As the superuser postgres, which the agent refuses without DB_ALLOW_PRIVILEGED_LOGIN.
    AGENT_SECRET_TOKEN=$TOKEN AGENT_PORT=$PORT AGENT_HOST=127.0.0.1 DB_HOST=127.0.0.1 DB_USER=postgres \
    DB_ALLOW_PRIVILEGED_LOGIN=true DB_NAME=dea_it_pagila DB_SSL_MODE=disable CACHE_DIR=$CACHE LOG_LEVEL=${AGENT_LOG_LEVEL:-WARN} \
    SANDBOX_POOL_SIZE=$1 \
        "$JAVA_HOME/bin/java" -jar agent/target/agent.jar >"$2" 2>&1 &
    AGENT_PID=$!
    for _ in $(seq 1 120); do curl -sf "$URL/health" >/dev/null && break; sleep 0.5; done
    curl -sf "$URL/health" >/dev/null || { cat "$2"; echo "agent did not start" >&2; exit 1; }
}

wait_pool() { # $1 = pool size
    for _ in $(seq 1 600); do [ "$(pooled)" -ge "$1" ] && return 0; sleep 0.05; done
    echo "the pool did not fill to $1" >&2; exit 1
}

make_frame() {
    curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d '{"language":"sql","code":"SELECT * FROM rental ORDER BY rental_id LIMIT 1000"}' "$URL/execute" \
        | jq -r '.cache_key // .result.cache_key // empty'
}

step() { # $1 = cache key; prints seconds, fails on a non-200
    local out code
    out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' \
        -d "{\"code\":\"result_df = input_data['x'].head()\",\"cache_keys\":{\"x\":\"$1\"}}" "$URL/execute-on-data")
    code=${out%% *}
    [ "$code" = 200 ] || { echo "execute-on-data answered $code" >&2; exit 1; }
    echo "${out#* }"
}

# --- (1) + (2): pool 2 -------------------------------------------------------------------------
LOG_POOL=$(mktemp)
echo "== agent with SANDBOX_POOL_SIZE=2 (log $LOG_POOL)" >&2
start_agent 2 "$LOG_POOL"
wait_pool 2
KEY=$(make_frame)
[ -n "$KEY" ] || { echo "no cache key from /execute" >&2; exit 1; }
for _ in $(seq "$WARMUP"); do wait_pool 2; step "$KEY" >/dev/null; done
WARM=$(for _ in $(seq "$N"); do wait_pool 2; step "$KEY"; done | ms)
wait_pool 2
T0=$(date +%s%N)
BURST=$(for _ in $(seq "$N"); do step "$KEY"; done | ms)
BURST_S=$(( ($(date +%s%N) - T0) / 1000000 ))
stop_agent

# --- (3): pool 0 -------------------------------------------------------------------------------
LOG_COLD=$(mktemp)
echo "== agent with SANDBOX_POOL_SIZE=0 (log $LOG_COLD)" >&2
start_agent 0 "$LOG_COLD"
KEY=$(make_frame)
for _ in $(seq "$WARMUP"); do step "$KEY" >/dev/null; done
COLD=$(for _ in $(seq "$N"); do step "$KEY"; done | ms)
stop_agent

# --- (4): plain docker run ---------------------------------------------------------------------
echo "== plain docker run x $DOCKER_RUNS" >&2
plain() {
    docker run --rm --network none --read-only --tmpfs "/tmp:rw,noexec,nosuid,nodev,size=${TMPFS_MB}m" \
        --cap-drop ALL --security-opt no-new-privileges --user 10001:10001 --memory ${MEM_MB}m \
        --memory-swap ${MEM_MB}m --cpus $CPUS --pids-limit $PIDS --entrypoint python3 "$IMAGE" -c "import pandas"
}
plain   # warm-up (page cache)
PLAIN=$(for _ in $(seq "$DOCKER_RUNS"); do s=$(date +%s%N); plain; e=$(date +%s%N); echo "($e - $s) / 1000000" | bc -l; done \
    | awk '{printf "%.1f\n", $1}')

W50=$(echo "$WARM" | pct 50); W95=$(echo "$WARM" | pct 95)
B50=$(echo "$BURST" | pct 50); B95=$(echo "$BURST" | pct 95)
C50=$(echo "$COLD" | pct 50); C95=$(echo "$COLD" | pct 95)
P50=$(echo "$PLAIN" | pct 50); P95=$(echo "$PLAIN" | pct 95)
SPEEDUP=$(echo "$P50 / $W50" | bc -l | awk '{printf "%.1f", $1}')
GOAL_P50=$(awk -v w="$W50" 'BEGIN {print (w <= 60) ? "met" : "missed"}')
GOAL_X=$(awk -v s="$SPEEDUP" 'BEGIN {print (s >= 15) ? "met" : "missed"}')

cat >"$OUT.table" <<EOF
| path | runs | p50 ms | p95 ms |
|---|---|---|---|
| HTTP execute-on-data, warm pool (2), pool full before each call | $N | $W50 | $W95 |
| HTTP execute-on-data, pool 2, back to back (faster than refill; $N calls in $BURST_S ms) | $N | $B50 | $B95 |
| HTTP execute-on-data, no pool (SANDBOX_POOL_SIZE=0) | $N | $C50 | $C95 |
| \`docker run --rm --network none … python3 -c "import pandas"\` | $DOCKER_RUNS | $P50 | $P95 |

Warm p50 <= 60 ms: **$GOAL_P50** ($W50 ms). Warm >= 15x faster than the plain docker run: **$GOAL_X** (${SPEEDUP}x).

Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB RAM,
Docker $(docker version --format '{{.Server.Version}}'), runtime runc, image $(docker image inspect $IMAGE --format '{{.Id}}' | cut -c8-19),
limits ${MEM_MB} MB / ${CPUS} CPU / pids ${PIDS}, $(date -u +%Y-%m-%d).
EOF
echo "== results" >&2
cat "$OUT.table"
if [ -f "$OUT" ] && grep -q '<!-- results -->' "$OUT"; then
    # Replace the measured block between the markers, keep the hand-written analysis.
    awk -v table="$OUT.table" '
        /<!-- results -->/ {print; while ((getline l < table) > 0) print l; skip = 1; next}
        /<!-- \/results -->/ {skip = 0}
        !skip {print}' "$OUT" >"$OUT.new" && mv "$OUT.new" "$OUT"
else
    { echo "# Sandbox warm-pool benchmark"; echo; echo "<!-- results -->"; cat "$OUT.table"; echo "<!-- /results -->"; } >"$OUT"
fi
rm -f "$OUT.table"
