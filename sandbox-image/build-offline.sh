#!/usr/bin/env bash
# Build dea-sandbox:latest without any container registry: debootstrap a Debian trixie
# root file system, install Debian's Python data stack into it, add the runner and
# `docker import` the tree. The Dockerfile next to this script is the registry-based
# equivalent (debian:trixie-slim with the same packages pinned, see docs/sandbox-protocol.md).
#
# Usage: build-offline.sh [--force] [--rootfs-only] [--check]
#   --force        rebuild even if an image with the same content hash exists
#   --rootfs-only  only fill the cache (debootstrap + packages), e.g. to pre-warm CI
#   --check        build nothing (no root needed): exit 0 when $IMAGE:latest carries this
#                  checkout's content hash, 1 when it is missing or outdated (agent/test-setup.sh)
# Env:    DEA_SANDBOX_CACHE (default /var/cache/dea-sandbox), DEA_DEBIAN_MIRROR,
#         DEA_SANDBOX_IMAGE (default dea-sandbox)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUNNER_DIR="$HERE/runner"
# shellcheck source=offline-lib.sh
source "$HERE/offline-lib.sh"
CACHE=${DEA_SANDBOX_CACHE:-/var/cache/dea-sandbox}
MIRROR=${DEA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
IMAGE=${DEA_SANDBOX_IMAGE:-dea-sandbox}
# What LLM-written analysis code imports, as Debian ships it (sizes and reasons: docs/sandbox-protocol.md).
PACKAGES=(python3 python3-pandas python3-numpy python3-scipy python3-matplotlib
    python3-sklearn python3-statsmodels python3-seaborn python3-openpyxl python3-xlsxwriter
    python3-tabulate python3-jinja2)
# Import name of every module whose version the image reports (label dev.dea.sandbox.packages,
# /health, the platform registration): what the platform's LLM may write `import X` for.
REPORTED_MODULES=(numpy pandas scipy matplotlib sklearn statsmodels seaborn openpyxl xlsxwriter tabulate jinja2 patsy joblib)
RUNNER_FILES=(runner.py dea_frames.py dea_texts.py sandbox_io.py sandbox_sql.py sandbox_encode.py sandbox_unchanged.py)
# Force-removed after installation (the image never runs apt), nothing imports them at run time:
# - matplotlib's hard dependencies for GUI backends and its web backend: Tk (python3-pil.imagetk ->
#   python3-tk -> tk, tcl, X11 libraries) and jQuery; the sandbox only renders with Agg.
# - fonttools' optional sympy (26 MB, + mpmath) and unicode-data (39 MB of Unicode tables).
# - bookworm's scipy depended on pythran (an ahead-of-time compiler) and python3-dev, dragging in
#   gcc, g++ and boost headers (~500 MB); trixie's does not, the names stay in case it comes back.
BUILD_ONLY_PACKAGES=(python3-pythran python3-beniget python3-gast libxsimd-dev libboost1.83-dev libboost-dev
    g++ g++-14 g++-14-x86-64-linux-gnu g++-x86-64-linux-gnu gcc gcc-14 gcc-14-x86-64-linux-gnu gcc-x86-64-linux-gnu
    cpp cpp-14 cpp-14-x86-64-linux-gnu cpp-x86-64-linux-gnu libgcc-14-dev libstdc++-14-dev
    binutils binutils-x86-64-linux-gnu binutils-common libbinutils libctf0 libctf-nobfd0 libgprofng0 libsframe1
    libopenblas-dev libopenblas-pthread-dev libblas-dev liblapack-dev
    libpython3-dev libpython3-all-dev libpython3.13-dev python3-dev python3-all-dev python3.13-dev python3-all
    libc6-dev libc-dev-bin linux-libc-dev libcrypt-dev libexpat1-dev zlib1g-dev
    libasan8 libtsan2 liblsan0 libubsan1 libhwasan0 libitm1 libcc1-0 libisl23 libmpc3 libmpfr6 libjansson4
    python3-sympy python3-mpmath unicode-data python3-tk python3.13-tk python3-pil.imagetk tk8.6-blt2.5 blt
    libtk8.6 libtcl8.6 libx11-6 libx11-data libxext6 libxft2 libxrender1 libxss1 x11-common
    libjs-sphinxdoc libjs-jquery libjs-underscore libjs-jquery-ui)
SANDBOX_UID=10001
# Bump when this script changes the image in a way the hash below cannot see.
RECIPE_VERSION=3

say() { echo "build-offline: $*"; }
die() { echo "build-offline: ERROR: $*" >&2; exit 1; }

FORCE=0
ROOTFS_ONLY=0
CHECK=0
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        --rootfs-only) ROOTFS_ONLY=1 ;;
        --check) CHECK=1 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) die "unknown argument: $arg (use --force or --help)" ;;
    esac
done

START=$(date +%s.%N)
elapsed() { python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$START" "$(date +%s.%N)"; }

PKG_HASH=$(printf '%s\n' "recipe $RECIPE_VERSION" "$SUITE" "$MIRROR" "${PACKAGES[@]}" -- "${BUILD_ONLY_PACKAGES[@]}" -- "${REPORTED_MODULES[@]}" \
    | sha256sum | cut -c1-16)
if [ "$ROOTFS_ONLY" -eq 0 ]; then
    for f in "${RUNNER_FILES[@]}"; do
        [ -f "$RUNNER_DIR/$f" ] || die "runner file missing: $RUNNER_DIR/$f"
    done
    PROTOCOL=$(sed -n 's/^PROTOCOL_VERSION = \([0-9]\+\).*/\1/p' "$RUNNER_DIR/runner.py")
    [ -n "$PROTOCOL" ] || die "PROTOCOL_VERSION not found in runner.py"
    CONTENT_HASH=$( (printf '%s\n' "recipe $RECIPE_VERSION" "$PKG_HASH"; cd "$RUNNER_DIR" && cat "${RUNNER_FILES[@]}") \
        | sha256sum | cut -c1-16)
    VERSION="p$PROTOCOL-$CONTENT_HASH"
    if [ "$CHECK" -eq 1 ]; then
        existing=$(docker image inspect --format '{{index .Config.Labels "dev.dea.sandbox.content-hash"}}' \
            "$IMAGE:latest" 2>/dev/null || true)
        [ "$existing" = "$CONTENT_HASH" ] && exit 0
        if [ -n "$existing" ]; then
            say "$IMAGE:latest is outdated (content hash $existing, this checkout builds $CONTENT_HASH)"
        else
            say "$IMAGE:latest is missing or has no content hash label"
        fi
        exit 1
    fi
fi
require_root_and_docker
if [ "$ROOTFS_ONLY" -eq 0 ]; then
    exit_if_current "$IMAGE" dev.dea.sandbox.content-hash "$CONTENT_HASH" "$VERSION"
fi

mkdir -p "$CACHE"
# A second build on the same cache would race on the same directories.
exec 9>"$CACHE/.lock"
flock -n 9 || die "another build holds $CACHE/.lock"

# Stage 1: the bare minbase tree, reused across package list changes (sandbox-image/offline-lib.sh).
ensure_minbase

# Stage 2: minbase + Python packages, stripped; keyed by the package list.
ROOTFS_TAR="$CACHE/rootfs-$PKG_HASH.tar"
MODULES_TXT="$CACHE/modules-$PKG_HASH.txt"
if [ ! -f "$ROOTFS_TAR" ] || [ ! -f "$MODULES_TXT" ]; then
    tmp="$CACHE/rootfs.tmp"
    rm -rf "$tmp" && mkdir -p "$tmp"
    tar -C "$tmp" -xf "$MINBASE_TAR"
    cleanup_mounts() { umount "$tmp/proc" 2>/dev/null || true; }
    trap cleanup_mounts EXIT
    mount -t proc proc "$tmp/proc"
    cp /etc/resolv.conf "$tmp/etc/resolv.conf"
    say "installing ${PACKAGES[*]} in the chroot"
    # --no-install-recommends keeps optional GUI backends/fonts out; Agg needs none.
    chroot "$tmp" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends ${PACKAGES[*]}" >"$CACHE/apt.log" 2>&1 \
        || die "package installation failed; see $CACHE/apt.log"
    chroot "$tmp" dpkg-query -W -f '${Package}=${Version}\n' "${PACKAGES[@]}" >"$CACHE/versions-$PKG_HASH.txt"
    # dpkg-query fails for names this suite does not have; the ones it has are still listed.
    installed=$( (chroot "$tmp" dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' "${BUILD_ONLY_PACKAGES[@]}" \
        2>/dev/null || true) | awk '$1 == "ii" {print $2}' | tr '\n' ' ')
    if [ -n "$installed" ]; then
        say "removing build-only dependencies: $installed"
        # shellcheck disable=SC2086
        chroot "$tmp" dpkg --purge --force-depends $installed >>"$CACHE/apt.log" 2>&1 \
            || die "removing build-only packages failed; see $CACHE/apt.log"
    fi
    # Test suites are dead weight, except numpy's _core/tests: numpy.testing, which scipy and
    # scikit-learn import, reads a helper from it. Removed before the check below, which proves it.
    find "$tmp"/usr/lib/python3/dist-packages -type d -name tests ! -path '*/numpy/_core/tests' -prune \
        -exec rm -rf {} +
    # Prove the stack still works (after the removals above) before paying for the image, and
    # record the version of every reported module as Python sees it (not Debian's revision).
    chroot "$tmp" env MPLBACKEND=Agg HOME=/tmp python3 -c '
import io, sys, importlib, platform
import pandas, numpy, scipy.stats, scipy.optimize, scipy.interpolate, matplotlib.pyplot as plt
import seaborn, sklearn.linear_model, statsmodels.api, openpyxl, xlsxwriter, tabulate, jinja2
assert abs(scipy.stats.norm.cdf(0) - 0.5) < 1e-12
scipy.optimize.minimize(lambda x: (x[0] - 1) ** 2, [0.0])
plt.plot([1, 2]); plt.savefig(io.BytesIO(), format="png")
df = pandas.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.1, 3.9, 6.2, 7.8]})
sklearn.linear_model.LinearRegression().fit(df[["x"]], df["y"])
statsmodels.api.OLS(df["y"], statsmodels.api.add_constant(df["x"])).fit()
seaborn.scatterplot(data=df, x="x", y="y")
df.to_excel(io.BytesIO(), engine="openpyxl"); df.to_markdown(); df.style.to_html()
versions = ["python=" + platform.python_version()]
for name in sys.argv[1:]:
    versions.append(name + "=" + importlib.import_module(name).__version__)
print(" ".join(versions))
' "${REPORTED_MODULES[@]}" >"$MODULES_TXT.tmp" || die "python stack does not work in the chroot"
    mv "$MODULES_TXT.tmp" "$MODULES_TXT"
    chroot "$tmp" groupadd -g "$SANDBOX_UID" sandbox
    chroot "$tmp" useradd -u "$SANDBOX_UID" -g "$SANDBOX_UID" -d /work -M -s /usr/sbin/nologin sandbox
    umount "$tmp/proc"
    trap - EXIT
    # The image is network-less and never runs apt; docs/man/locales/tests are dead weight.
    rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/* "$tmp"/var/cache/debconf/*-old \
        "$tmp"/usr/share/doc/* "$tmp"/usr/share/man/* "$tmp"/usr/share/info/* \
        "$tmp"/usr/share/lintian "$tmp"/var/log/* "$tmp"/etc/resolv.conf
    find "$tmp"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
    # /dev is provided by the container runtime.
    rm -rf "$tmp"/dev/*
    : >"$tmp/etc/resolv.conf"
    tar -C "$tmp" -cf "$ROOTFS_TAR.tmp" . && mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    rm -rf "$tmp"
    # Older package lists' trees are ~400 MB each and never used again.
    find "$CACHE" -maxdepth 1 \( \( -name 'rootfs-*.tar' ! -name "rootfs-$PKG_HASH.tar" \) -o \
        \( -name 'modules-*.txt' ! -name "modules-$PKG_HASH.txt" \) -o \( -name 'versions-*.txt' ! -name "versions-$PKG_HASH.txt" \) \) -delete
    say "provisioned root fs cached in $ROOTFS_TAR ($(elapsed)s)"
else
    say "reusing cached root fs $ROOTFS_TAR"
fi

if [ "$ROOTFS_ONLY" -eq 1 ]; then
    say "root fs ready in $ROOTFS_TAR ($(elapsed)s); --rootfs-only: no image built"
    exit 0
fi

# Stage 3: add the runner and import. Appending to a copy of the cached tar avoids
# unpacking ~400 MB again.
WORK_TAR="$CACHE/image.tmp.tar"
STAGE="$CACHE/overlay.tmp"
rm -rf "$STAGE" && mkdir -p "$STAGE/opt/dea/runner" "$STAGE/work"
cp "${RUNNER_FILES[@]/#/$RUNNER_DIR/}" "$STAGE/opt/dea/runner/"
# The same list as the label, for code inside the container (and test-image.sh's check).
cp "$MODULES_TXT" "$STAGE/opt/dea/packages.txt"
chmod 0755 "$STAGE/opt" "$STAGE/opt/dea" "$STAGE/opt/dea/runner"
chmod 0644 "$STAGE"/opt/dea/runner/* "$STAGE/opt/dea/packages.txt"
chown "$SANDBOX_UID:$SANDBOX_UID" "$STAGE/work"
chmod 0700 "$STAGE/work"
cp "$ROOTFS_TAR" "$WORK_TAR"
tar -C "$STAGE" -rf "$WORK_TAR" ./opt/dea ./work
rm -rf "$STAGE"

say "docker import as $IMAGE:$VERSION"
docker import \
    --change "USER $SANDBOX_UID" \
    --change "WORKDIR /work" \
    --change "ENV PYTHONDONTWRITEBYTECODE=1 MPLBACKEND=Agg HOME=/tmp PYTHONUNBUFFERED=1 PYTHONPATH=/opt/dea/runner" \
    --change 'ENTRYPOINT ["python3", "/opt/dea/runner/runner.py"]' \
    --change "LABEL dev.dea.sandbox.protocol=$PROTOCOL dev.dea.sandbox.content-hash=$CONTENT_HASH dev.dea.sandbox.version=$VERSION dev.dea.sandbox.build=offline-debian-$SUITE dev.dea.sandbox.packages=\"$(cat "$MODULES_TXT")\"" \
    --message "dea sandbox $VERSION (offline debootstrap build)" \
    "$WORK_TAR" "$IMAGE:$VERSION" >/dev/null
rm -f "$WORK_TAR"
docker tag "$IMAGE:$VERSION" "$IMAGE:latest"

SIZE=$(docker image inspect --format '{{.Size}}' "$IMAGE:latest")
say "built $IMAGE:latest = $IMAGE:$VERSION in $(elapsed)s, size $((SIZE / 1000000)) MB"
[ -f "$CACHE/versions-$PKG_HASH.txt" ] && say "packages: $(tr '\n' ' ' <"$CACHE/versions-$PKG_HASH.txt")"
