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
--security-opt no-new-privileges --pids-limit 64 --memory 256m --log-driver none"

failed=0

# The Dockerfile for hosts with a registry cannot be built here: it must at least say what the offline
# build does (the runner's protocol, the same package versions, the same packages label).
echo "== sandbox-image/Dockerfile against runner.py and the offline build"
failed_before=$failed
DOCKERFILE="$HERE/Dockerfile"
want_protocol=$(sed -n 's/^PROTOCOL_VERSION = \([0-9]\+\).*/\1/p' "$HERE/runner/runner.py")
have_protocol=$(sed -n 's/^ARG PROTOCOL_VERSION=\([0-9]\+\)$/\1/p' "$DOCKERFILE")
if [ "$want_protocol" != "$have_protocol" ]; then
    echo "test-image: FAILED: the Dockerfile's PROTOCOL_VERSION is '$have_protocol', runner.py speaks '$want_protocol'" >&2
    failed=1
fi
offline_label=$(docker image inspect --format '{{index .Config.Labels "dev.dea.sandbox.packages"}}' "$IMAGE")
dockerfile_label=$(sed -n 's/^ *dev\.dea\.sandbox\.packages="\(.*\)"$/\1/p' "$DOCKERFILE")
if [ "$offline_label" != "$dockerfile_label" ]; then
    echo "test-image: FAILED: the Dockerfile's packages label differs from $IMAGE's:" >&2
    echo "  Dockerfile: $dockerfile_label" >&2
    echo "  $IMAGE:     $offline_label" >&2
    failed=1
fi
VERSIONS=$(ls -t "${DEA_SANDBOX_CACHE:-/var/cache/dea-sandbox}"/versions-*.txt 2>/dev/null | head -1 || true)
if [ -z "$VERSIONS" ]; then
    echo "test-image: FAILED: no versions-*.txt of the offline build under ${DEA_SANDBOX_CACHE:-/var/cache/dea-sandbox}" >&2
    failed=1
else
    while IFS= read -r pin; do
        # Each package the offline build installed must be pinned to the same version in the Dockerfile.
        grep -qE "(^|[[:space:]])${pin//+/\\+}([[:space:]]|\\|$)" "$DOCKERFILE" \
            || { echo "test-image: FAILED: the Dockerfile does not pin $pin (the offline build's version)" >&2; failed=1; }
    done <"$VERSIONS"
    [ "$failed" != "$failed_before" ] || echo "  protocol $have_protocol, packages label and $(wc -l <"$VERSIONS") pins agree"
fi

# The versions the agent reports (the image's label, read by docker image inspect) must be what the
# image really imports: every listed module is imported inside the image and its __version__ compared.
echo "== $IMAGE: the packages label against the installed modules"
LABEL=$(docker image inspect --format '{{index .Config.Labels "dev.dea.sandbox.packages"}}' "$IMAGE")
if [ -z "$LABEL" ]; then
    echo "test-image: FAILED: $IMAGE has no dev.dea.sandbox.packages label" >&2
    failed=1
elif ! docker run --rm --network none --read-only --tmpfs /tmp:size=64m --user 10001 --cap-drop ALL --entrypoint python3 "$IMAGE" -c '
import importlib, platform, sys
label = sys.argv[1].split()
with open("/opt/dea/packages.txt") as f:
    assert f.read().split() == label, "/opt/dea/packages.txt differs from the label"
bad = []
for pair in label:
    name, version = pair.split("=", 1)
    found = platform.python_version() if name == "python" else importlib.import_module(name).__version__
    print("  %-12s %-10s %s" % (name, version, "ok" if found == version else "INSTALLED " + found))
    if found != version:
        bad.append(name)
assert label and label[0].startswith("python="), "python first"
sys.exit(1 if bad else 0)
' "$LABEL"; then
    echo "test-image: FAILED: the packages label does not match the image" >&2
    failed=1
fi

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
