#!/usr/bin/env bash
# Makes this machine ready for the agent's test suite (agent/src/test), as `./dea run` does for the
# sandbox: `./dea test` and .ci/run call it before every run. It lives in agent/ beside the tests it
# serves (and agent/build-offline.sh), not in .ci/, because a user's `./dea test` needs it as much
# as CI does. Every step checks first, so a machine that has everything costs about a second.
#   As root: installs and starts what is missing, one line per step (details in $LOG).
#   Otherwise: prints one block listing exactly what is missing with the commands that install
#   it, and exits 1; the tests never skip because something is missing.
# Env: TEST_PG_HOST/TEST_PG_PORT (PostgreSQL, default 127.0.0.1:5432), SANDBOX_IMAGE
# (default dea-sandbox:latest), DEA_DATASETS_DIR (when set, psql is needed too).
set -euo pipefail
cd "$(dirname "$0")/.."

LOG=${DEA_TEST_SETUP_LOG:-${TMPDIR:-/tmp}/dea-test-setup.log}
PG_HOST=${TEST_PG_HOST:-127.0.0.1}
PG_PORT=${TEST_PG_PORT:-5432}
IMAGE=${SANDBOX_IMAGE:-dea-sandbox:latest}
ROOT=0
[[ $(id -u) -eq 0 ]] && ROOT=1
MISSING=()
APT_UPDATED=0

say() { echo "test-setup: $*" >&2; }

# $1 = what is missing, $2 = the command (as root) that provides it.
# As root the command runs now, its output in $LOG; otherwise it is listed for the final block.
provide() {
    if (( ! ROOT )); then
        MISSING+=("$1"$'\n'"      $2")
        return 1
    fi
    say "$1: running '$2'"
    if ! bash -c "$2" >>"$LOG" 2>&1; then
        say "FAILED: $2 (last lines of $LOG below)"
        tail -n 20 "$LOG" >&2
        exit 1
    fi
}

apt_install() { # $1 = what, rest = packages
    local what=$1; shift
    if (( ! ROOT )); then
        MISSING+=("$what"$'\n'"      apt-get update && apt-get install -y --no-install-recommends $*")
        return 1
    fi
    local update=""
    (( APT_UPDATED )) || update="apt-get update -qq && "
    provide "$what" "${update}DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $*"
    APT_UPDATED=1
}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

{ : >"$LOG"; } 2>/dev/null || LOG=/dev/null

# PostgreSQL: the integration tests' database (the generated fixture is loaded into it over JDBC).
if ! pg_up; then
    cluster=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
    if [[ -n "$cluster" ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
        if provide "PostgreSQL $cluster is installed but not running at $PG_HOST:$PG_PORT" \
                "pg_ctlcluster --skip-systemctl-redirect $cluster main start"; then
            for _ in $(seq 1 30); do pg_up && break; sleep 1; done
            pg_up || { say "PostgreSQL $cluster did not come up at $PG_HOST:$PG_PORT (see /var/log/postgresql)"; exit 1; }
        fi
    else
        # Not installed: installing it is not enough, the tests log in as postgres over TCP (trust or
        # TEST_PG_PASSWORD), so say what to do rather than guess an authentication set-up.
        MISSING+=("PostgreSQL at $PG_HOST:$PG_PORT (user postgres; see README \"Tests\")"$'\n'"      apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start  (then allow user postgres over TCP, or set TEST_PG_*)")
    fi
fi
if [[ -n "${DEA_DATASETS_DIR:-}" ]] && ! command -v psql >/dev/null 2>&1; then
    apt_install "psql (loads Pagila and Chinook for the dataset conformance tests)" postgresql-client || true
fi

# MariaDB: started when installed but down (cheap, and MySQL-family tests can rely on it).
if command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]]; then
    if ! port_open 127.0.0.1 3306; then
        if provide "MariaDB is installed but not running on 127.0.0.1:3306" "service mariadb start"; then
            for _ in $(seq 1 30); do port_open 127.0.0.1 3306 && break; sleep 1; done
        fi
    fi
fi

# Frame-format tests read frames with pandas as the sandbox does: Debian's, at /usr/bin/python3.
# The runner's own protocol tests (.ci/run) import matplotlib as the image does.
if ! /usr/bin/python3 -c 'import pandas, numpy, matplotlib' >/dev/null 2>&1; then
    apt_install "pandas, numpy and matplotlib for /usr/bin/python3 (frame-format and runner tests)" python3-pandas python3-numpy python3-matplotlib || true
fi

# DocsPageIT opens /docs in Debian's headless Chromium.
if [[ ! -x /usr/bin/chromium ]]; then
    apt_install "Chromium (DocsPageIT)" chromium || true
fi

# The Python sandbox: a Docker engine with gVisor's runsc registered, and the offline-built image.
docker_ok() { docker info >/dev/null 2>&1; }
runsc_ok() { docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}' 2>/dev/null | grep -qw runsc; }
if ! docker_ok || ! runsc_ok; then
    if (( ROOT )); then
        provide "Docker engine with gVisor's runsc" "bash sandbox-image/setup-docker.sh"
    elif command -v docker >/dev/null 2>&1 && ! docker_ok && [[ -S /var/run/docker.sock ]]; then
        MISSING+=("access to the Docker engine for $(id -un) (then the sandbox image $IMAGE, if it is missing)"$'\n'"      usermod -aG docker $(id -un)  (then log in again; the image: bash sandbox-image/build-offline.sh)")
    else
        MISSING+=("Docker engine with gVisor's runsc, and the sandbox image $IMAGE"$'\n'"      bash sandbox-image/setup-docker.sh && bash sandbox-image/build-offline.sh")
    fi
fi
# As root the build always runs: it returns at once when the image's content hash (runner files
# and recipe) matches, and rebuilds an image that an older checkout left behind, whose runner the
# tests of this checkout would otherwise meet.
if docker_ok && { (( ROOT )) || ! docker image inspect "$IMAGE" >/dev/null 2>&1; }; then
    provide "sandbox image $IMAGE (offline build when missing or out of date, about two minutes the first time)" \
        "bash sandbox-image/build-offline.sh" || true
elif docker_ok && [[ $IMAGE == dea-sandbox:latest ]] && ! bash sandbox-image/build-offline.sh --check >>"$LOG" 2>&1; then
    # Built from another runner or package list (e.g. before the trixie stack): the tests expect this checkout's.
    provide "sandbox image $IMAGE is outdated (offline build, about three minutes)" \
        "bash sandbox-image/build-offline.sh" || true
fi

if (( ${#MISSING[@]} )); then
    {
        echo "The test suite needs what this machine lacks. As root, run ./dea test (it installs all of it), or:"
        for m in "${MISSING[@]}"; do echo "  - $m"; done
    } >&2
    exit 1
fi
say "PostgreSQL, MariaDB (if installed), pandas, Chromium, the Docker engine with runsc and $IMAGE are ready"
