# SPDX-License-Identifier: MIT
# Shared steps of scripts/run, scripts/test and scripts/bench: packages, configure, build.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
PACKAGES=(gcc binutils make meson ninja-build pkg-config python3 libcmocka-dev
          grub-pc-bin grub-common xorriso mtools qemu-system-x86 bochs bochsbios vgabios)

step() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the Debian packages that are missing, by name; a no-op when all are present.
install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        step "packages: all present"
        return
    fi
    step "packages: installing ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "run as root, or install: ${missing[*]}"
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null || die "no apt-get: install these packages by hand: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq || die "apt-get update failed; check the network or the sources"
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install failed for: ${missing[*]}"
}

configure_and_build() {
    if [ ! -f "$BUILD/build.ninja" ]; then
        step "configure: meson setup $BUILD"
        meson setup "$BUILD" "$TOP" >/dev/null || die "meson setup failed (see $BUILD/meson-logs/meson-log.txt)"
    fi
    step "build: meson compile -C $BUILD"
    meson compile -C "$BUILD" >/dev/null || { meson compile -C "$BUILD" 2>&1 | tail -n 40; die "build failed"; }
}
