#!/usr/bin/env bash
# Build the agent's image (dea-agent:latest) without any container registry: a Debian
# bookworm minbase root file system (the sandbox build's cached debootstrap), a Java
# runtime jlinked from this machine's JDK (21 or newer), agent.jar and the health check,
# put together with `docker import`. agent/Dockerfile is the registry-based equivalent;
# this image behaves the same (user 10001, /app, /var/lib/dea volumes, port 8001, the same
# JVM options and HEALTHCHECK) but runs on the local JDK's version instead of 21.
#
# Usage: agent/build-offline.sh [--force]
#   --force  rebuild even if an image with the same content hash exists
# Env:    DEA_SANDBOX_CACHE (default /var/cache/dea-sandbox: the minbase tree is shared
#         with sandbox-image/build-offline.sh), DEA_DEBIAN_MIRROR, DEA_AGENT_IMAGE
#         (default dea-agent), JAVA_HOME (default: the JDK ./dea picks)
# Needs:  root (debootstrap, chroot), the Docker engine, agent/target/agent.jar (./dea build).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# shellcheck source=../sandbox-image/offline-lib.sh
source "$ROOT/sandbox-image/offline-lib.sh"
CACHE=${DEA_SANDBOX_CACHE:-/var/cache/dea-sandbox}
MIRROR=${DEA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
IMAGE=${DEA_AGENT_IMAGE:-dea-agent}
JAR=$ROOT/agent/target/agent.jar
HEALTHCHECK=$ROOT/deploy/healthcheck.sh
DEA_UID=10001
# What the agent and its libraries use: `jdeps --print-module-deps --ignore-missing-deps
# --multi-release 21` over the runtime class path (the shaded jar fools jdeps), plus
# jdk.crypto.ec for TLS with EC keys on a JDK 21 (an empty module from 22 on) and
# jdk.charsets for databases in legacy encodings. A missing module shows up as a
# NoClassDefFoundError in CI's run of this image.
MODULES=java.base,java.compiler,java.desktop,java.instrument,java.management,java.naming,java.net.http,java.rmi,java.security.jgss,java.sql,jdk.jfr,jdk.unsupported,jdk.crypto.ec,jdk.charsets
JAVA_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
# Bump when this script changes the image in a way the hashes below cannot see.
RECIPE_VERSION=2

say() { echo "agent-offline: $*"; }
die() { echo "agent-offline: ERROR: $*" >&2; exit 1; }

FORCE=0
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) die "unknown argument: $arg (use --force or --help)" ;;
    esac
done

require_root_and_docker
[ -f "$JAR" ] || die "$JAR is missing; run ./dea build first"
JDK=${JAVA_HOME:-$("$ROOT/dea" java)}
[ -x "$JDK/bin/jlink" ] || die "no jlink in $JDK (a full JDK 21+ is needed, not a JRE)"
JDK_MAJOR=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)
[ "${JDK_MAJOR:-0}" -ge 21 ] 2>/dev/null || die "$JDK is Java ${JDK_MAJOR:-?}; the agent needs 21 or newer"

START=$(date +%s)
elapsed() { echo "$(( $(date +%s) - START ))"; }

JDK_ID=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p; s/^IMPLEMENTOR="\(.*\)"/\1/p' "$JDK/release" | tr '\n' ' ' | sed 's/ *$//')
[ -n "$JDK_ID" ] || JDK_ID=$("$JDK/bin/java" -version 2>&1 | head -n1)
JRE_HASH=$(printf '%s\n' "$JDK" "$JDK_ID" "$MODULES" | sha256sum | cut -c1-16)
CONTENT_HASH=$( (printf '%s\n' "recipe $RECIPE_VERSION" "$SUITE" "$MIRROR" "$JRE_HASH" "$JAVA_OPTIONS"; \
    cat "$JAR" "$HEALTHCHECK") | sha256sum | cut -c1-16)
VERSION="offline-$CONTENT_HASH"

exit_if_current "$IMAGE" dev.dea.agent.content-hash "$CONTENT_HASH" "$VERSION"

mkdir -p "$CACHE"
# The sandbox build uses the same lock: both write the minbase tree.
exec 9>"$CACHE/.lock"
flock -w 900 9 || die "another build holds $CACHE/.lock"

# Stage 1: the bare minbase tree, shared with the sandbox build (sandbox-image/offline-lib.sh).
ensure_minbase

# Stage 2: minbase without package caches and docs, with the agent's user and directories.
BASE_HASH=$(printf '%s\n' "recipe $RECIPE_VERSION" "$(stat -c '%s %Y' "$MINBASE_TAR")" | sha256sum | cut -c1-16)
BASE_TAR="$CACHE/agent-base-$BASE_HASH.tar"
if [ ! -f "$BASE_TAR" ]; then
    tmp="$CACHE/agent-base.tmp"
    rm -rf "$tmp" && mkdir -p "$tmp"
    tar -C "$tmp" -xf "$MINBASE_TAR"
    chroot "$tmp" groupadd --gid "$DEA_UID" dea
    chroot "$tmp" useradd --uid "$DEA_UID" --gid "$DEA_UID" --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin dea
    mkdir -p "$tmp/app" "$tmp/var/lib/dea/cache" "$tmp/var/lib/dea/audit"
    chown -R "$DEA_UID:$DEA_UID" "$tmp/var/lib/dea"
    chmod 0700 "$tmp/var/lib/dea/cache" "$tmp/var/lib/dea/audit"
    # The image never runs apt; lists, downloaded packages, docs and locales are dead weight.
    rm -rf "${tmp:?}"/var/lib/apt/lists/* "${tmp:?}"/var/cache/apt/* "${tmp:?}"/var/cache/debconf/*-old \
        "${tmp:?}"/usr/share/doc/* "${tmp:?}"/usr/share/man/* "${tmp:?}"/usr/share/info/* \
        "${tmp:?}"/usr/share/lintian "${tmp:?}"/var/log/* "${tmp:?}"/dev/*
    find "$tmp"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
    : >"$tmp/etc/resolv.conf"
    tar -C "$tmp" -cf "$BASE_TAR.tmp" . && mv "$BASE_TAR.tmp" "$BASE_TAR"
    rm -rf "$tmp"
    find "$CACHE" -maxdepth 1 -name 'agent-base-*.tar' ! -name "agent-base-$BASE_HASH.tar" -delete
    say "agent base root fs cached in $BASE_TAR ($(elapsed)s)"
fi

# Stage 3: the Java runtime, keyed by JDK and module list.
JRE_DIR="$CACHE/agent-jre-$JRE_HASH"
if [ ! -d "$JRE_DIR" ]; then
    say "jlink from $JDK ($JDK_ID)"
    rm -rf "$JRE_DIR.tmp"
    "$JDK/bin/jlink" --add-modules "$MODULES" --output "$JRE_DIR.tmp" \
        --strip-debug --no-header-files --no-man-pages --compress=zip-6 2>/dev/null \
        || "$JDK/bin/jlink" --add-modules "$MODULES" --output "$JRE_DIR.tmp" \
            --strip-debug --no-header-files --no-man-pages \
        || die "jlink failed"
    mv "$JRE_DIR.tmp" "$JRE_DIR"
    find "$CACHE" -maxdepth 1 -name 'agent-jre-*' ! -name "agent-jre-$JRE_HASH" -exec rm -rf {} +
    say "runtime cached in $JRE_DIR ($(du -sh "$JRE_DIR" | cut -f1), $(elapsed)s)"
fi

# Stage 4: runtime, jar and health check on a copy of the base tar, then import.
WORK_TAR="$CACHE/agent-image.tmp.tar"
STAGE="$CACHE/agent-overlay.tmp"
rm -rf "$STAGE" && mkdir -p "$STAGE/opt" "$STAGE/app"
cp -a "$JRE_DIR" "$STAGE/opt/java"
install -m 0644 "$JAR" "$STAGE/app/agent.jar"
install -m 0755 "$HEALTHCHECK" "$STAGE/app/healthcheck.sh"
cp "$BASE_TAR" "$WORK_TAR"
tar -C "$STAGE" --owner=0 --group=0 -rf "$WORK_TAR" ./opt/java ./app/agent.jar ./app/healthcheck.sh
rm -rf "$STAGE"

say "docker import as $IMAGE:$VERSION"
replaced=$(docker image inspect --format '{{.Id}}' "$IMAGE:$VERSION" 2>/dev/null || true)
docker import \
    --change "USER $DEA_UID:$DEA_UID" \
    --change "WORKDIR /app" \
    --change "ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin JAVA_HOME=/opt/java" \
    --change "ENV CACHE_DIR=/var/lib/dea/cache AUDIT_LOG_PATH=/var/lib/dea/audit/audit.log AGENT_HOST=0.0.0.0 AGENT_PORT=8001" \
    --change "ENV JDK_JAVA_OPTIONS=\"$JAVA_OPTIONS\"" \
    --change 'VOLUME ["/var/lib/dea/cache", "/var/lib/dea/audit"]' \
    --change "EXPOSE 8001" \
    --change 'HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 CMD ["/app/healthcheck.sh"]' \
    --change 'ENTRYPOINT ["java", "-jar", "/app/agent.jar"]' \
    --change "LABEL dev.dea.agent.content-hash=$CONTENT_HASH dev.dea.agent.version=$VERSION dev.dea.agent.build=offline-debian-$SUITE dev.dea.agent.jdk=\"$JDK_ID\"" \
    --message "dea agent $VERSION (offline build, runtime jlinked from $JDK_ID)" \
    "$WORK_TAR" "$IMAGE:$VERSION" >/dev/null
rm -f "$WORK_TAR"
docker tag "$IMAGE:$VERSION" "$IMAGE:latest"
# Every new agent.jar is a new version: drop the previous ones' tags (and so their layers,
# ~220 MB each) unless a container still uses them.
for old in $(docker images "$IMAGE" --format '{{.Tag}}' | grep '^offline-' | grep -v -x "$VERSION" || true); do
    docker rmi "$IMAGE:$old" >/dev/null 2>&1 || true
done
# --force over the same version leaves the previous import untagged.
if [ -n "$replaced" ]; then docker rmi "$replaced" >/dev/null 2>&1 || true; fi

SIZE=$(docker image inspect --format '{{.Size}}' "$IMAGE:latest")
say "built $IMAGE:latest = $IMAGE:$VERSION in $(elapsed)s, size $((SIZE / 1000000)) MB"
