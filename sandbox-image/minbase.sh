# Sourced by sandbox-image/build-offline.sh and agent/build-offline.sh: both images start from
# the same debootstrap minbase tree, cached once as $CACHE/minbase-$SUITE.tar. The caller holds
# the cache lock and defines say, die and elapsed.

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
