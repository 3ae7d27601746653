# Sourced by sandbox-image/build-offline.sh and agent/build-offline.sh, which build their images
# the same way: skipped when the image's content hash label is current, and started from the
# same debootstrap minbase tree, cached once as $CACHE/minbase-$SUITE.tar. The callers define
# say, die and elapsed, and hold the cache lock around ensure_minbase.

# Dies unless the build can run: as root (debootstrap and chroot need it), with a reachable engine.
require_root_and_docker() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it)"
    command -v docker >/dev/null || die "docker not found; run sandbox-image/setup-docker.sh first"
    docker info >/dev/null 2>&1 || die "docker engine not reachable; run sandbox-image/setup-docker.sh first"
}

# Exits the build when $1:latest already carries label $2 = $3 (tagging it $1:$4 too), unless $FORCE is 1.
exit_if_current() {
    local image=$1 label=$2 hash=$3 version=$4 existing
    [ "${FORCE:-0}" -eq 0 ] || return 0
    existing=$(docker image inspect --format "{{index .Config.Labels \"$label\"}}" "$image:latest" 2>/dev/null || true)
    if [ "$existing" = "$hash" ]; then
        say "$image:latest is up to date (content hash $hash); use --force to rebuild"
        docker tag "$image:latest" "$image:$version"
        exit 0
    fi
}

# Sets MINBASE_TAR, running debootstrap (a few minutes, from Debian's mirror) only when it is missing.
ensure_minbase() {
    MINBASE_TAR="$CACHE/minbase-$SUITE.tar"
    [ -f "$MINBASE_TAR" ] && return 0
    command -v debootstrap >/dev/null || { say "installing debootstrap"; apt-get install -y -qq debootstrap >/dev/null; }
    say "debootstrap --variant=minbase $SUITE (cold, a few minutes)"
    local tmp="$CACHE/minbase.tmp"
    rm -rf "$tmp"
    debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
        || die "debootstrap failed; see $CACHE/debootstrap.log"
    tar -C "$tmp" -cf "$MINBASE_TAR.tmp" . && mv "$MINBASE_TAR.tmp" "$MINBASE_TAR"
    rm -rf "$tmp"
    say "minbase cached in $MINBASE_TAR ($(elapsed)s)"
}
