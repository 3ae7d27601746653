#!/usr/bin/env bash
# CI check of the deployment's moving parts, on this machine, without a registry:
#  1. the docker-proxy's configuration (deploy/docker-proxy/haproxy.cfg) run by Debian's
#     HAProxy with every capability dropped (as compose runs it) in front of the local
#     Docker engine: what it must refuse (exec, /info, privileged, bind-mounting or
#     networked creates, other containers, unfiltered listing) is refused;
#  2. agent/target/agent.jar pointed at it (DOCKER_HOST=tcp://...) on Chinook in the local
#     PostgreSQL, and deploy/smoke-test.py against it: SQL, the SQL guard and Python (incl.
#     the attach upgrade) all pass the allow-list; deploy/healthcheck.sh agrees;
#  3. with --image IMAGE (agent/build-offline.sh's dea-agent:latest): the same smoke test
#     against that image run as compose runs it (read-only root, tmpfs /tmp, no
#     capabilities, no-new-privileges, init) on the host network; its user is not root,
#     its root file system is read-only and Docker reports its HEALTHCHECK healthy.
#
# Usage: deploy/check-agent.sh [--image IMAGE]
# Needs root (apt-get for haproxy), the Docker engine, the sandbox image, PostgreSQL at
# 127.0.0.1:5432 (TEST_PG_HOST/PORT/USER/PASSWORD as for the tests), ../shared/datasets
# and a built agent.jar (./dea build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

say() { echo "check-agent: $*" >&2; }
die() { echo "check-agent: FAIL: $*" >&2; exit 1; }

IMAGE=
case "${1:-}" in
    --image) IMAGE=${2:?--image needs an image name} ;;
    "") ;;
    *) die "usage: $0 [--image IMAGE]" ;;
esac

JAR=$ROOT/agent/target/agent.jar
[[ -f $JAR ]] || die "$JAR is missing; run ./dea build first"
JAVA_HOME=${JAVA_HOME:-$(./dea java)}
need() { # command package
    command -v "$1" >/dev/null && return 0
    say "installing $2 from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }
}
need haproxy haproxy
need curl curl
need psql postgresql-client
PYTHON=/usr/bin/python3
docker image inspect dea-sandbox:latest >/dev/null 2>&1 || die "no dea-sandbox:latest; run sandbox-image/build-offline.sh"

WORK=$(mktemp -d /tmp/dea-check-agent.XXXXXX)
PROXY_PID='' RUNTIME_PROXY_PID='' AGENT_PID='' CONTAINER=''
# The agents first, gracefully: they remove their sandbox containers through the proxy.
# Every step tolerates failure: under set -e one failing step would skip the rest.
cleanup() {
    if [[ -n $AGENT_PID ]]; then kill "$AGENT_PID" 2>/dev/null || true; wait "$AGENT_PID" 2>/dev/null || true; fi
    if [[ -n $CONTAINER ]]; then
        docker stop -t 30 "$CONTAINER" >/dev/null 2>&1 || true
        docker rm -f -v "$CONTAINER" >/dev/null 2>&1 || true
    fi
    for pid in $PROXY_PID $RUNTIME_PROXY_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    docker rm -f "dea-sandbox-0dea-$$" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { $PYTHON -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PROXY_PORT=$(free_port)
AGENT_PORT=$(free_port)
PROXY=http://127.0.0.1:$PROXY_PORT

# --- the proxy ----------------------------------------------------------------------------
say "$(haproxy -v | sed -n 1p)"
PROXY_BIND=127.0.0.1:$PROXY_PORT haproxy -c -q -f deploy/docker-proxy/haproxy.cfg || die "haproxy.cfg does not parse"
# An empty bounding set leaves root without capabilities, as cap_drop: [ALL] does.
PROXY_BIND=127.0.0.1:$PROXY_PORT setpriv --bounding-set -all --inh-caps -all \
    haproxy -db -f deploy/docker-proxy/haproxy.cfg >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 50); do curl -sf "$PROXY/_ping" >/dev/null && break; sleep 0.1; done
curl -sf "$PROXY/_ping" >/dev/null || die "the proxy does not answer /_ping: $(cat "$WORK/proxy.log")"
for pid in $PROXY_PID $(pgrep -P "$PROXY_PID" || true); do
    caps=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")
    [[ $caps =~ ^0+$ ]] || die "haproxy (pid $pid) runs with capabilities $caps"
done
say "ok haproxy runs as root without capabilities"

expect() { # expected-status method path [body]
    local want=$1 method=$2 path=$3 body=${4:-} got
    if [[ -n $body ]]; then
        got=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
            --data-binary "$body" "$PROXY$path")
    else
        got=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' -X "$method" "$PROXY$path")
    fi
    [[ $got == "$want" ]] || die "$method $path: expected $want, got $got"
    say "ok $want $method $path"
}

# The agent's own create body (docker-java, as captured through this proxy), shortened to
# the fields the rules look at; variants of it must be refused.
good='{"Hostname":"sandbox","User":"10001:10001","AttachStdin":true,"OpenStdin":true,"StdinOnce":true,"Env":[],"Cmd":null,"Entrypoint":null,"Image":"dea-sandbox:latest","Volumes":{},"NetworkDisabled":true,"HostConfig":{"Binds":null,"CapAdd":null,"CapDrop":["ALL"],"NanoCpus":500000000,"LogConfig":{"Type":"none","Config":null},"Memory":268435456,"MemorySwap":268435456,"NetworkMode":"none","Privileged":null,"ReadonlyRootfs":true,"RestartPolicy":null,"Ulimits":[{"Name":"nofile","Soft":256,"Hard":256}],"Mounts":null,"SecurityOpt":["no-new-privileges"],"PidsLimit":64,"Runtime":null,"Tmpfs":{"/tmp":"rw,noexec,nosuid,nodev,size=64m,mode=1777"},"UTSMode":null}}'
name="?name=dea-sandbox-0dea-$$"
# Refuses the agent's create body with one change: the first OLD replaced by NEW.
refuse_create() {
    local body
    body=$($PYTHON -c 'import sys; print(sys.argv[1].replace(sys.argv[2], sys.argv[3], 1))' "$good" "$1" "$2")
    [[ $body != "$good" ]] || die "test bug: '$1' is not in the create body"
    expect 403 POST "/containers/create$name" "$body"
    say "   (create with $2)"
}
# The agent's exact create is allowed, and then so are calls on that container; each refused
# create below differs from it in one respect only.
id=$(curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$good" "$PROXY/containers/create$name" \
    | $PYTHON -c 'import json, sys; print(json.load(sys.stdin)["Id"])') || die "the agent's create body was refused"
say "ok 201 POST /containers/create (the agent's body)"
expect 200 GET "/containers/$id/json"
expect 200 GET "/v1.41/containers/$id/json"
expect 204 DELETE "/containers/$id?force=true"
expect 403 GET /info
expect 403 GET /v1.41/info
expect 403 GET /containers/json
expect 403 GET '/containers/json?filters=%7B%22status%22%3A%5B%22running%22%5D%7D'
expect 403 POST /exec/0123/start
expect 403 GET /volumes
expect 403 POST /build
expect 403 POST "/containers/create" "$good"
expect 403 POST "/containers/create?name=evil" "$good"
refuse_create '"Privileged":null' '"Privileged":true'
refuse_create '"Binds":null' '"Binds":["/:/host"]'
refuse_create '"Mounts":null' '"Mounts":[{"Type":"bind","Source":"/","Target":"/h"}]'
refuse_create '"CapAdd":null' '"CapAdd":["SYS_ADMIN"]'
refuse_create '"NetworkMode":"none"' '"NetworkMode":"host"'
refuse_create '"Cmd":null' '"Cmd":["sh"]'
refuse_create '"Image":"dea-sandbox:latest"' '"Image":"debian"'
refuse_create '"PidsLimit":64' '"PidsLimit":64,"privileged":true'
refuse_create '"PidsLimit":64' '"PidsLimit":64,"networkmode":"host"'
refuse_create '"PidsLimit":64' '"PidsLimit":64,"Priv\u0069leged":true'
refuse_create '"PidsLimit":64' '"PidsLimit": 64'
refuse_create '"LogConfig":{"Type":"none","Config":null}' '"LogConfig":{"Type":"syslog","Config":{"syslog-address":"udp://10.0.0.1:514"}}'
refuse_create '"LogConfig":{"Type":"none","Config":null}' '"LogConfig":null'
refuse_create '"SecurityOpt":["no-new-privileges"]' '"SecurityOpt":["no-new-privileges","seccomp=unconfined"]'
refuse_create '"NanoCpus":500000000' '"NanoCpus":0'
refuse_create '"NanoCpus":500000000' '"NanoCpus":null'
refuse_create '"MemorySwap":268435456' '"MemorySwap":-1'
refuse_create '"MemorySwap":268435456' '"MemorySwap":2684354560'
refuse_create 'rw,noexec,' 'rw,exec,'
refuse_create '"Runtime":null' '"Runtime":"runc"'
refuse_create '"RestartPolicy":null' '"RestartPolicy":{"Name":"always"}'
refuse_create '"UTSMode":null' '"UTSMode":null,"OomScoreAdj":-1000'
refuse_create '"UTSMode":null' '"UTSMode":null,"Annotations":{"dev.gvisor.spec.mount.x.share":"shared"}'
# Limits above the agent's settings (the proxy's defaults here: 256 MB, 0.5 CPU, 64 pids, 64 MB /tmp).
refuse_create '"Memory":268435456,"MemorySwap":268435456' '"Memory":268435457,"MemorySwap":268435457'
refuse_create '"Memory":268435456,"MemorySwap":268435456' '"Memory":1099511627776,"MemorySwap":1099511627776'
refuse_create '"Memory":268435456,"MemorySwap":268435456' '"Memory":99999999999999999999,"MemorySwap":99999999999999999999'
refuse_create '"NanoCpus":500000000' '"NanoCpus":1000000000'
refuse_create '"PidsLimit":64' '"PidsLimit":65'
refuse_create '"PidsLimit":64' '"PidsLimit":4294967360'
refuse_create 'size=64m' 'size=65m'
# Settings moved to where the engine ignores them, every key still there once: a Config field
# into HostConfig, a HostConfig field to the top level (the engine then runs the container
# with its defaults: checked, NetworkDisabled inside HostConfig gives it the bridge network).
refuse_moved() { # FIELD (as it stands in $good, with its trailing comma) WHERE (top|host)
    local body
    body=$($PYTHON -c '
import sys
good, field, where = sys.argv[1:]
assert field in good, field
body = good.replace(field, "", 1)
body = body.replace("{", "{" + field, 1) if where == "top" else body.replace("\"HostConfig\":{", "\"HostConfig\":{" + field, 1)
print(body)' "$good" "$1" "$2") || die "test bug: '$1' is not in the create body"
    expect 403 POST "/containers/create$name" "$body"
    say "   (create with $1 moved to the $2 object)"
}
refuse_moved '"NetworkDisabled":true,' host
refuse_moved '"User":"10001:10001",' host
refuse_moved '"ReadonlyRootfs":true,' top
refuse_moved '"NetworkMode":"none",' top
refuse_moved '"LogConfig":{"Type":"none","Config":null},' top
refuse_moved '"CapDrop":["ALL"],' top
refuse_moved '"SecurityOpt":["no-new-privileges"],' top
refuse_moved '"Memory":268435456,' top
refuse_moved '"PidsLimit":64,' top
refuse_moved '"NanoCpus":500000000,' top
refuse_moved '"Tmpfs":{"/tmp":"rw,noexec,nosuid,nodev,size=64m,mode=1777"},' top
refuse_moved '"Runtime":null,' top
# A container the proxy did not create: invisible and untouchable through it.
other=$(docker create --label dea-check-proxy=1 dea-sandbox:latest)
trap 'docker rm -f "$other" >/dev/null 2>&1 || true; cleanup' EXIT
expect 403 GET "/containers/$other/json"
expect 403 POST "/containers/$other/start"
expect 403 POST "/containers/$other/attach?stream=1&stdout=1"
expect 403 DELETE "/containers/$other?force=true"
expect 403 POST "/containers/$other/exec" '{"Cmd":["id"]}'
expect 403 GET "/containers/$other/../$other/json"
docker rm -f "$other" >/dev/null

# With SANDBOX_RUNTIME set (gVisor here), the proxy accepts that runtime and no other: a
# compromised agent cannot fall back to runc's shared kernel. A second proxy, same file, also
# with raised limits: the bounds follow the settings it is given.
if docker info --format '{{json .Runtimes}}' | grep -q '"runsc"'; then
    RUNTIME_PORT=$(free_port)
    PROXY_BIND=127.0.0.1:$RUNTIME_PORT SANDBOX_RUNTIME=runsc SANDBOX_MEMORY_MB=512 SANDBOX_CPUS=1.5 setpriv --bounding-set -all --inh-caps -all \
        haproxy -db -f deploy/docker-proxy/haproxy.cfg >"$WORK/runtime-proxy.log" 2>&1 &
    RUNTIME_PROXY_PID=$!
    plain_proxy=$PROXY PROXY=http://127.0.0.1:$RUNTIME_PORT
    for _ in $(seq 1 50); do curl -sf "$PROXY/_ping" >/dev/null && break; sleep 0.1; done
    expect 403 POST "/containers/create$name" "$good"
    say "   (create without the runtime SANDBOX_RUNTIME=runsc names)"
    refuse_create '"Runtime":null' '"Runtime":"runc"'
    refuse_create '"Runtime":null' '"Runtime":"runsc2"'
    refuse_create '"Runtime":null' '"Runtime":"runs."'
    gvisor=${good/'"Runtime":null'/'"Runtime":"runsc"'}
    gvisor=${gvisor/'"Memory":268435456,"MemorySwap":268435456'/'"Memory":536870912,"MemorySwap":536870912'}
    gvisor=${gvisor/'"NanoCpus":500000000'/'"NanoCpus":1500000000'}
    # Above the raised settings: refused (1 ns of CPU is let through for the agent's rounding).
    expect 403 POST "/containers/create$name" "${gvisor/'"NanoCpus":1500000000'/'"NanoCpus":1500000002'}"
    say "   (create with 1.5 CPUs + 2 ns under SANDBOX_CPUS=1.5)"
    expect 403 POST "/containers/create$name" \
        "${gvisor/'"Memory":536870912,"MemorySwap":536870912'/'"Memory":536870913,"MemorySwap":536870913'}"
    say "   (create with 512 MiB + 1 byte under SANDBOX_MEMORY_MB=512)"
    id=$(curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$gvisor" "$PROXY/containers/create$name" \
        | $PYTHON -c 'import json, sys; print(json.load(sys.stdin)["Id"])') || die "the create with runsc was refused"
    [[ $(docker inspect --format '{{.HostConfig.Runtime}}' "$id") == runsc ]] || die "the container does not run under runsc"
    say "ok 201 POST /containers/create with \"Runtime\":\"runsc\", 512 MiB and 1.5 CPUs (and the engine runs it under runsc)"
    expect 204 DELETE "/containers/$id?force=true"
    PROXY=$plain_proxy
    kill "$RUNTIME_PROXY_PID"; wait "$RUNTIME_PROXY_PID" 2>/dev/null || true
    RUNTIME_PROXY_PID=
else
    die "the engine has no runsc runtime (sandbox-image/setup-docker.sh registers it): the runtime pin is untested"
fi

# --- the agent through the proxy, and the smoke test --------------------------------------
DB=dea_smoke_chinook
CHINOOK=$ROOT/../shared/datasets/chinook/Chinook_PostgreSql.sql
[[ -f $CHINOOK ]] || die "$CHINOOK is missing"
export PGHOST=${TEST_PG_HOST:-127.0.0.1} PGPORT=${TEST_PG_PORT:-5432} PGUSER=${TEST_PG_USER:-postgres} PGPASSWORD=${TEST_PG_PASSWORD:-}
version="dea-smoke:$(sha256sum "$CHINOOK" | cut -c1-16)"
if [[ $(psql -X -Atqd postgres -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$DB'") != "$version" ]]; then
    say "loading Chinook into $DB"
    psql -X -qd postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
    # The script creates and switches to its own database; it is loaded into ours instead.
    grep -v -E '^[[:space:]]*(DROP DATABASE|CREATE DATABASE|\\c )' "$CHINOOK" \
        | PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null
    psql -X -qd postgres -c "COMMENT ON DATABASE $DB IS '$version'"
fi

TOKEN=check-agent-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
checks_logged=$(wc -l <"$WORK/proxy.log")

smoke() { # what, port, log command
    if ! AGENT_SECRET_TOKEN=$TOKEN $PYTHON deploy/smoke-test.py --url "http://127.0.0.1:$2" --wait 120; then
        say "$1 log:"; eval "$3" | tail -n 40 >&2
        say "proxy log:"; tail -n 40 "$WORK/proxy.log" >&2
        die "the smoke test failed against $1"
    fi
}

say "agent.jar through the proxy"
mkdir -p "$WORK/run"
# Its own working directory, so a developer's .env in the repository is not read.
# PGUSER is the test cluster's superuser (postgres), which the agent refuses without DB_ALLOW_PRIVILEGED_LOGIN.
(cd "$WORK/run" && exec env -i PATH="$PATH" HOME="$WORK/run" DOCKER_HOST="tcp://127.0.0.1:$PROXY_PORT" \
    AGENT_SECRET_TOKEN="$TOKEN" AGENT_HOST=127.0.0.1 AGENT_PORT="$AGENT_PORT" \
    DB_HOST="$PGHOST" DB_PORT="$PGPORT" DB_USER="$PGUSER" DB_PASSWORD="$PGPASSWORD" DB_NAME=$DB DB_SSL_MODE=disable \
    DB_ALLOW_PRIVILEGED_LOGIN=true \
    CACHE_DIR="$WORK/run/cache" AUDIT_LOG_PATH="$WORK/run/audit/audit.log" SANDBOX_POOL_SIZE=1 \
    "$JAVA_HOME/bin/java" -XX:MaxRAMPercentage=25 -jar "$JAR") >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
smoke agent.jar "$AGENT_PORT" 'cat "$WORK/agent.log"'
AGENT_PORT=$AGENT_PORT deploy/healthcheck.sh || die "deploy/healthcheck.sh says the running agent is unhealthy"
say "ok deploy/healthcheck.sh"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=

if [[ -n $IMAGE ]]; then
    say "image $IMAGE through the proxy"
    docker image inspect "$IMAGE" >/dev/null || die "no image $IMAGE; run agent/build-offline.sh"
    IMAGE_PORT=$(free_port)
    CONTAINER=dea-check-agent-$$
    docker run -d --name "$CONTAINER" --network host --init \
        --read-only --tmpfs /tmp:rw,exec,nosuid,nodev,size=512m --cap-drop ALL --security-opt no-new-privileges \
        -e DOCKER_HOST="tcp://127.0.0.1:$PROXY_PORT" -e AGENT_SECRET_TOKEN="$TOKEN" \
        -e AGENT_HOST=127.0.0.1 -e AGENT_PORT="$IMAGE_PORT" -e DB_HOST="$PGHOST" -e DB_PORT="$PGPORT" \
        -e DB_USER="$PGUSER" -e DB_PASSWORD="$PGPASSWORD" -e DB_NAME=$DB -e DB_SSL_MODE=disable \
        -e DB_ALLOW_PRIVILEGED_LOGIN=true -e SANDBOX_POOL_SIZE=1 "$IMAGE" >/dev/null
    smoke "$IMAGE" "$IMAGE_PORT" 'docker logs "$CONTAINER" 2>&1'
    uid=$(docker exec "$CONTAINER" id -u)
    [[ $uid != 0 ]] || die "$IMAGE runs as root"
    say "ok runs as uid $uid"
    ! docker exec "$CONTAINER" touch /app/probe 2>/dev/null || die "$IMAGE's root file system is writable"
    say "ok read-only root file system"
    for _ in $(seq 1 40); do
        health=$(docker inspect --format '{{.State.Health.Status}}' "$CONTAINER")
        [[ $health == healthy ]] && break
        sleep 2
    done
    [[ $health == healthy ]] || die "Docker reports $IMAGE as '$health' (HEALTHCHECK)"
    say "ok HEALTHCHECK reports healthy"
    docker stop -t 30 "$CONTAINER" >/dev/null
    docker rm -v "$CONTAINER" >/dev/null
    CONTAINER=
fi

# The agents' calls (logged after the checks above) must all have passed the allow-list.
agent_denied=$(tail -n +"$((checks_logged + 1))" "$WORK/proxy.log" | grep ' 403 ' || true)
[[ -z $agent_denied ]] || die "the proxy refused calls of the agent: $agent_denied"
say "passed: proxy allow-list and refusals; SQL and Python through it from agent.jar${IMAGE:+ and $IMAGE}; health checks"
