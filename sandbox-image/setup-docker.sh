#!/usr/bin/env bash
# Make a Docker engine with the gVisor (runsc) runtime available on this Debian host.
# Idempotent: every step checks first and only acts when something is missing, so CI and
# the quick start can call it unconditionally.
set -euo pipefail

DAEMON_JSON=/etc/docker/daemon.json
DOCKERD_LOG=/var/log/dockerd.log
WAIT_SECONDS=${DEA_DOCKERD_WAIT_SECONDS:-60}

say() { echo "setup-docker: $*"; }
die() { echo "setup-docker: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (installs packages, writes $DAEMON_JSON, starts dockerd)"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian/Ubuntu hosts only"

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
        apt_updated=1
    fi
    say "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
        || die "apt-get install $* failed"
}

# A docker *client* alone (e.g. /usr/local/bin/docker) is not enough: the engine is dockerd.
if command -v dockerd >/dev/null; then
    say "dockerd present: $(command -v dockerd)"
else
    apt_install docker.io
fi
command -v docker >/dev/null || die "docker client still missing after installing docker.io"

if [ -x /usr/bin/runsc ]; then
    say "runsc present"
else
    # gVisor is optional: without it the sandbox still runs under runc, so only warn.
    # apt_install would abort the script; runsc missing from the mirror must not.
    if [ "$apt_updated" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
        apt_updated=1
    fi
    say "installing runsc"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends runsc >/dev/null || true
    [ -x /usr/bin/runsc ] || say "WARNING: runsc could not be installed; only runc will be available"
fi

# Merge rather than overwrite: the host may already carry other daemon settings.
desired_changed=0
if [ -x /usr/bin/runsc ]; then
    mkdir -p "$(dirname "$DAEMON_JSON")"
    result=$(python3 - "$DAEMON_JSON" <<'EOF'
import json, os, sys
path = sys.argv[1]
cfg = {}
if os.path.exists(path) and os.path.getsize(path) > 0:
    with open(path) as f:
        cfg = json.load(f)
want = {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"]}
if cfg.get("runtimes", {}).get("runsc") == want:
    print("unchanged")
else:
    cfg.setdefault("runtimes", {})["runsc"] = want
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    print("written")
EOF
    ) || die "could not merge $DAEMON_JSON (is it valid JSON?)"
    say "$DAEMON_JSON runsc runtime: $result"
    [ "$result" = written ] && desired_changed=1
fi

dockerd_pid() { pgrep -x dockerd | head -n1 || true; }

if docker info >/dev/null 2>&1; then
    if [ "$desired_changed" -eq 1 ]; then
        pid=$(dockerd_pid)
        if [ -n "$pid" ]; then
            # SIGHUP reloads daemon.json (runtimes included) without stopping containers.
            say "reloading dockerd (pid $pid) for the new runtime"
            kill -HUP "$pid"
            sleep 1
        else
            say "WARNING: dockerd is managed elsewhere; restart it to pick up $DAEMON_JSON"
        fi
    else
        say "docker engine already running"
    fi
else
    [ -n "$(dockerd_pid)" ] && die "a dockerd process exists but 'docker info' fails; see $DOCKERD_LOG"
    say "starting dockerd in the background (log: $DOCKERD_LOG)"
    nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    disown || true
    for _ in $(seq 1 "$WAIT_SECONDS"); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || die "dockerd did not come up within ${WAIT_SECONDS}s; last log lines:
$(tail -n 20 "$DOCKERD_LOG")"
    say "dockerd is up"
fi

runtimes=$(docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}' 2>/dev/null || echo "?")
say "ready: server $(docker info --format '{{.ServerVersion}}'), runtimes: $runtimes"
