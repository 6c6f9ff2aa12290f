#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run.sh BUILD_ROOT CONSUMER.c CERTIFICATE API_NAME
#
# The "Done when" of the foundation: a program linked against the INSTALLED
# posh-gnutls-1 package parses the RFC 7711 example and verifies the spec
# certificate. Installs BUILD_ROOT into a temporary DESTDIR, compiles
# CONSUMER.c with `pkg-config --cflags --libs API_NAME` pointed at that
# DESTDIR, runs it, and checks that the library exports only posh_*
# symbols (hidden visibility: no _posh_ internals in the ABI).

set -eu

build_root=$1
consumer=$2
certificate=$3
api_name=$4
cc=${CC:-cc}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
destdir=$tmp/root

meson install -C "$build_root" --destdir "$destdir" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; echo "meson install failed" >&2; exit 1; }

pc=$(find "$destdir" -name "$api_name.pc" | head -n 1)
lib=$(find "$destdir" -name "lib$api_name.so" | head -n 1)
[ -n "$pc" ] || { echo "$api_name.pc was not installed" >&2; exit 1; }
[ -n "$lib" ] || { echo "lib$api_name.so was not installed" >&2; exit 1; }
[ -n "$(find "$destdir" -path "*/include/$api_name/posh-gnutls/posh.h")" ] ||
  { echo "posh-gnutls/posh.h was not installed" >&2; exit 1; }

# The installed .pc names its final prefix; PKG_CONFIG_SYSROOT_DIR maps it
# into the DESTDIR. The sysroot would also be prepended to the flags of the
# Requires (GLib, GnuTLS), which live outside it, so this package's own
# flags are read without traversing its Requires (depth 2 is the package
# itself), and those of the Requires it names are read from the system.
pkgdir=$(dirname "$pc")
posh_flags=$(PKG_CONFIG_PATH="$pkgdir" PKG_CONFIG_SYSROOT_DIR="$destdir" \
  pkg-config --cflags --libs --maximum-traverse-depth=2 "$api_name")
case "$posh_flags" in
  *"-I$destdir"*"/$api_name"*"-l$api_name"*) ;;
  *) echo "unexpected flags from $pc: $posh_flags" >&2; exit 1 ;;
esac
requires=$(PKG_CONFIG_PATH="$pkgdir" pkg-config --print-requires "$api_name" | tr '\n' ' ')
system_flags=$(pkg-config --cflags --libs $requires)
echo "pkg-config $api_name: $posh_flags"

# shellcheck disable=SC2086 # word splitting of the flags is intended
"$cc" -std=c11 -Wall -Werror -o "$tmp/consumer" "$consumer" $posh_flags $system_flags

# The consumer must resolve the INSTALLED library.
LD_LIBRARY_PATH=$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
if command -v ldd >/dev/null 2>&1; then
  ldd "$tmp/consumer" | grep -q "$(dirname "$lib")/lib$api_name.so" ||
    { ldd "$tmp/consumer" >&2; echo "consumer does not use the installed library" >&2; exit 1; }
fi
"$tmp/consumer" "$certificate"

# Exported symbols: posh_* only.
symbols=$(nm -D --defined-only "$lib" | awk '{ print $3 }')
bad=$(printf '%s\n' "$symbols" | grep -v -E '^(posh_[a-z0-9_]+|_init|_fini|_edata|_end|__bss_start)$' || true)
if [ -n "$bad" ]; then
  echo "unexpected exported symbols:" >&2
  printf '%s\n' "$bad" >&2
  exit 1
fi
printf '%s\n' "$symbols" | grep -q '^posh_verify_crt_raw$' ||
  { echo "posh_verify_crt_raw is not exported" >&2; exit 1; }
echo "exported symbols: $(printf '%s\n' "$symbols" | grep -c '^posh_') posh_*, no others"
