#!/usr/bin/env bash
# Fails when a test secret appears in what the test run logged: the test tokens and the
# test database password must never reach a log line, an error message or a report.
# Reads agent/target/surefire-reports (every test's stdout/stderr, in the JSON log format,
# and the reports) plus any file or directory given as an argument. Names the file and
# the kind of secret, never the secret. Fails too when there is nothing to scan (no
# reports, or not a single access-log line), so it cannot pass by looking at nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

reports=agent/target/surefire-reports
tests=agent/src/test/java
fail() { echo "secret-scan: FAIL: $*" >&2; exit 1; }

# --- the secrets: every String constant of the test sources named *TOKEN*, *PASSWORD* or *SECRET*
labels=(); values=()
while IFS=$'\t' read -r file name value; do
    if (( ${#value} < 12 )); then
        continue # too short to be told apart from ordinary text; such a constant is not a credential here
    fi
    labels+=("$(basename "$file" .java).$name"); values+=("$value")
done < <(grep -rE --include='*.java' 'static final String [A-Z0-9_]*(TOKEN|PASSWORD|SECRET)[A-Z0-9_]* = "[^"]+";' "$tests" \
    | sed -nE 's/^([^:]+):.*static final String ([A-Z0-9_]+) = "([^"]+)";.*/\1\t\2\t\3/p')
if [[ -n "${TEST_PG_PASSWORD:-}" ]]; then
    labels+=("TEST_PG_PASSWORD (the test database password)"); values+=("$TEST_PG_PASSWORD")
fi
for required in AgentHarness.TOKEN TestPostgres.DEFAULT_PASSWORD; do
    printf '%s\n' "${labels[@]}" | grep -qx "$required" \
        || fail "$required not found in $tests: the scan would miss it (renamed? update .ci/scan-logs.sh)"
done

# --- what to scan
files=()
if [[ -d "$reports" ]]; then
    while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$reports" -type f -print0)
fi
for extra in "$@"; do
    while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$extra" -type f -print0)
done
(( ${#files[@]} > 0 )) || fail "no test reports in $reports: run the tests first (./dea test)"
access_lines=$(cat "${files[@]}" | grep -c '"logger":"dev.dea.access".*"request_id"' || true)
(( access_lines > 0 )) || fail "no access-log line in ${#files[@]} files: the tests' logging is not captured, nothing was really scanned"

# --- the scan; the secret goes to grep on a pipe, never on a command line or the terminal
found=0
for i in "${!values[@]}"; do
    while IFS= read -r hit; do
        echo "secret-scan: ${labels[$i]} appears in $hit" >&2
        found=1
    done < <(grep -rlF -f <(printf '%s\n' "${values[$i]}") -- "${files[@]}" || true)
done
(( found == 0 )) || fail "test secrets leaked into the logs or reports above"
echo "secret-scan: ok: ${#values[@]} secrets, ${#files[@]} files, $access_lines access-log lines" >&2
