#!/usr/bin/env bash
# Fetch, verify and cache one Debian 12 kernel release: the image (vmlinuz,
# modules, config, System.map), its headers (build dir with Module.symvers),
# linux-kbuild, and linux-source-6.1 of exactly the same Debian version.
#
#   scripts/fetch-kernel.sh            newest version for which all are
#                                      downloadable now
#   KSPLICE_KERNEL_VERSION=6.1.170-3 scripts/fetch-kernel.sh
#                                      pin a version
#
# Only an unpinned fetch moves kernel/current (the test kernel every script
# uses by default); a pinned one sets it only when there is none yet, so
# fetching another release never switches the kernel under other users of
# the cache.  The scripts use a pinned release when KSPLICE_KERNEL_VERSION
# is set (scripts/kernel-env.sh), e.g.
#   KSPLICE_KERNEL_VERSION=6.1.176-1 scripts/vm-run.sh SCRIPT
#
# Layout (KSPLICE_CACHE, default ~/.cache/ksplice):
#   kernel/<version>/debs/*.deb + SHA256SUMS   what apt-get downloaded
#   kernel/<version>/root/                      dpkg -x of image/headers/kbuild
#   kernel/<version>/src/linux-source-6.1/      the pristine source
#   kernel/<version>/env                        variables (see kernel-env.sh)
#   kernel/current -> <version>               the unpinned (newest) one
#
# Nothing is installed on the host: packages are unpacked with dpkg -x.
# apt-get download checks every .deb against the signed archive index; on
# reuse the recorded SHA256SUMS are checked again.
set -euo pipefail

cache=${KSPLICE_CACHE:-$HOME/.cache/ksplice}
mkdir -p "$cache/kernel"

log() { printf 'fetch-kernel: %s\n' "$*" >&2; }
die() { printf 'fetch-kernel: error: %s\n' "$*" >&2; exit 1; }

# The linux-image-6.1.0-N-amd64 package (signed, as production runs it) of
# Debian version $1, or nothing.
image_pkg_for() {
	local ver=$1 pkg
	for pkg in $(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
		     awk '{print $1}' | sort -t- -k4,4nr); do
		if apt-cache madison "$pkg" | awk -F'|' '{gsub(/ /,"",$2); print $2}' |
		   grep -qx "$ver"; then
			echo "$pkg"
			return
		fi
	done
}

has_version() { # (awk matches, not grep -q: see build-patch-module.sh)
	apt-cache madison "$1" | awk -F'|' -v v="$2" '{gsub(/ /,"",$2)} $2 == v {n++} END {exit !n}'
}

pick_version() {
	local ver abi
	for ver in $(apt-cache madison linux-source-6.1 |
		     awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -Vr -u); do
		img=$(image_pkg_for "$ver")
		[ -n "$img" ] || continue
		abi=${img#linux-image-}
		has_version "linux-headers-$abi" "$ver" || continue
		has_version "linux-headers-${abi%-amd64}-common" "$ver" || continue
		has_version linux-kbuild-6.1 "$ver" || continue
		echo "$ver"
		return
	done
}

if [ -z "$(apt-cache madison linux-source-6.1 2>/dev/null)" ]; then
	log "apt lists are empty; running apt-get update"
	apt-get update -qq
fi

ver=${KSPLICE_KERNEL_VERSION:-}
if [ -z "$ver" ]; then
	ver=$(pick_version)
	[ -n "$ver" ] || die "no linux-source-6.1 version with a matching image and headers is downloadable"
fi
dir=$cache/kernel/$ver

# The default kernel: moved by an unpinned fetch, made by the first fetch.
set_current() {
	if [ -z "${KSPLICE_KERNEL_VERSION:-}" ] || [ ! -e "$cache/kernel/current" ]; then
		ln -sfn "$ver" "$cache/kernel/current"
	fi
}

if [ -f "$dir/env" ] && (cd "$dir/debs" && sha256sum --quiet -c SHA256SUMS); then
	set_current
	log "cached: $dir"
	echo "$dir"
	exit 0
fi

img=$(image_pkg_for "$ver")
[ -n "$img" ] || die "no linux-image-6.1.0-*-amd64 package at version $ver"
abi=${img#linux-image-}			# 6.1.0-56-amd64
pkgs=("$img=$ver" "linux-headers-$abi=$ver" "linux-headers-${abi%-amd64}-common=$ver"
      "linux-kbuild-6.1=$ver" "linux-source-6.1=$ver")

log "version $ver (kernel release $abi)"
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root" "$dir/src"
start=$(date +%s.%N)
(cd "$dir/debs" && apt-get download -q "${pkgs[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) ||
	die "apt-get download failed for ${pkgs[*]}"
(cd "$dir/debs" && sha256sum -- *.deb > SHA256SUMS)
dl=$(date +%s.%N)

for deb in "$dir"/debs/*.deb; do
	dpkg -x "$deb" "$dir/root"
done
# The headers refer to themselves by absolute /usr/src paths: point them at
# the unpacked copy instead.
hdr=$dir/root/usr/src/linux-headers-$abi
common=$dir/root/usr/src/linux-headers-${abi%-amd64}-common
sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$hdr/Makefile"
ln -sfn "$hdr" "$dir/root/lib/modules/$abi/build"
ln -sfn "$common" "$dir/root/lib/modules/$abi/source"
tar -xf "$dir/root/usr/src/linux-source-6.1.tar.xz" -C "$dir/src"
rm -f "$dir/root/usr/src/linux-source-6.1.tar.xz"
end=$(date +%s.%N)

cat > "$dir/env" <<EOF
KSPLICE_KVER=$ver
KSPLICE_KREL=$abi
KSPLICE_KDIR=$dir
KSPLICE_VMLINUZ=$dir/root/boot/vmlinuz-$abi
KSPLICE_KCONFIG=$dir/root/boot/config-$abi
KSPLICE_SYSMAP=$dir/root/boot/System.map-$abi
KSPLICE_MODDIR=$dir/root/lib/modules/$abi
KSPLICE_HEADERS=$dir/root/usr/src/linux-headers-$abi
KSPLICE_SRC=$dir/src/linux-source-6.1
KSPLICE_TREE=$dir/tree
EOF
set_current
log "$(printf 'download %.1f s, unpack %.1f s' "$(echo "$dl - $start" | bc)" "$(echo "$end - $dl" | bc)")"
echo "$dir"
