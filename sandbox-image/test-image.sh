#!/usr/bin/env bash
# Run sandbox-image/runner/test_runner.py against the built image, with the same
# restrictions the agent applies: no network, read-only root, small tmpfs, non-root,
# no capabilities, pids/memory limits. Once with the default runtime (runc) and once
# with gVisor (runsc) when the daemon has it configured.
#
# Usage: test-image.sh [image]     (default dea-sandbox:latest)
# Env:   DEA_TEST_RUNTIMES="runc runsc" to choose runtimes explicitly.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=${1:-dea-sandbox:latest}
PYTHON=${PYTHON:-python3}

die() { echo "test-image: ERROR: $*" >&2; exit 1; }

command -v docker >/dev/null || die "docker not found; run sandbox-image/setup-docker.sh"
docker info >/dev/null 2>&1 || die "docker engine not reachable; run sandbox-image/setup-docker.sh"
docker image inspect "$IMAGE" >/dev/null 2>&1 || die "image $IMAGE not found; run sandbox-image/build-offline.sh"

if [ -z "${DEA_TEST_RUNTIMES:-}" ]; then
    DEA_TEST_RUNTIMES=runc
    if docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}' | grep -qw runsc; then
        DEA_TEST_RUNTIMES="runc runsc"
    else
        echo "test-image: runsc not configured in the daemon; testing runc only"
    fi
fi

BASE="docker run -i --rm --network none --read-only --tmpfs /tmp:size=64m --user 10001 --cap-drop ALL \
--security-opt no-new-privileges --pids-limit 64 --memory 256m"

failed=0
for runtime in $DEA_TEST_RUNTIMES; do
    echo "== $IMAGE with --runtime $runtime"
    # The test process only speaks JSON to the runner; it needs no pandas itself.
    if ! (cd "$HERE/runner" && PYTHONDONTWRITEBYTECODE=1 DEA_RUNNER_CMD="$BASE --runtime $runtime $IMAGE" \
            "$PYTHON" -m unittest -v test_runner); then
        echo "test-image: FAILED with --runtime $runtime" >&2
        failed=1
    fi
done
exit "$failed"
