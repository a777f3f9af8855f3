#!/usr/bin/env bash
# Build the Debian packages from a build directory:
#   ksplice-tools   ksplice-apply, -undo, -view (/usr/sbin), their man pages
#                   (section 8), /etc/ksplice/keys/; for production hosts
#   ksplice-create  ksplice-create, -diff, -klp-convert (/usr/bin), their man
#                   pages (section 1), the data ksplice-create reads at run
#                   time (/usr/share/ksplice) and the Ansible role that rolls
#                   updates out (/usr/share/ksplice/ansible); for the machine
#                   that builds updates
#
#   scripts/build-deb.sh [--build DIR] [-o OUT_DIR]
#
# --build: a finished build (default build/; scripts/setup.sh makes it, with
# help2man installed for the man pages).  -o: where the .deb files go
# (default DIR/deb).  Prints the paths of the packages.
#
# No debhelper: the packages are what `cmake --install --component` puts in
# a staging root, plus what Debian policy asks for (stripped programs,
# gzipped man pages and changelog, the copyright file, md5sums), with
# Depends from dpkg-shlibdeps plus the programs each package runs.
# Deterministic: every date is that of packaging/debian/changelog's newest
# entry (SOURCE_DATE_EPOCH), so the same build gives byte-identical
# packages.  Lintian findings that remain are explained in
# packaging/debian/*.lintian-overrides.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build out=
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	-h|--help) usage ;;
	*) echo "build-deb: unknown argument $1" >&2; usage ;;
	esac
done
build=$(cd "$build" && pwd)
out=${out:-$build/deb}
deb=$root/packaging/debian
die() { echo "build-deb: error: $*" >&2; exit 1; }

for f in cli/ksplice-apply cli/install-tree/ksplice-create packaging/man/ksplice-apply.8; do
	[ -e "$build/$f" ] || die "'$build' has no $f: build it first (cmake --build $build; the man pages need help2man)"
done
datadir=$(sed -n 's/^KSPLICE_DATA_DIR:PATH=//p' "$build/CMakeCache.txt")
[ "$datadir" = /usr/share/ksplice ] ||
	die "'$build' was configured with KSPLICE_DATA_DIR=$datadir; the package installs ksplice-create's data in /usr/share/ksplice: reconfigure with -DKSPLICE_DATA_DIR=/usr/share/ksplice"

version=$(dpkg-parsechangelog -l "$deb/changelog" -SVersion)
export SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$deb/changelog" -STimestamp)
arch=$(dpkg --print-architecture)
export LC_ALL=C.UTF-8
umask 022

work=$(mktemp -d "${TMPDIR:-/tmp}/ksplice-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# The programs each package runs, beyond the libraries it links
# (dpkg-shlibdeps finds those).  ksplice-tools runs gzip (Essential, so not
# listed) and loads modules with finit_module(2) itself, without kmod.
# ksplice-create runs patch, make and the kernel's build (gcc-12, the
# compiler of Debian 12's kernel, flex, bison, bc, and the headers of
# libelf for objtool and of libssl for the kernel's host programs), and
# objcopy, nm and readelf.
declare -A runs=(
	[ksplice-tools]=
	[ksplice-create]="patch, make, gcc-12, binutils, flex, bison, bc, libelf-dev, libssl-dev"
)
declare -A component=([ksplice-tools]=tools [ksplice-create]=create)

# stage PACKAGE: the installed files of PACKAGE under $work/PACKAGE.
stage() {
	local pkg=$1 dir=$work/$1
	DESTDIR=$dir cmake --install "$build" --prefix /usr \
		--component "${component[$pkg]}" > /dev/null
	# Strip as dh_strip does: no debug info, no .comment, no .note.
	find "$dir" -type f -perm -u+x | while read -r f; do
		file -b "$f" | grep '^ELF' > /dev/null || continue
		strip --remove-section=.comment --remove-section=.note \
			--strip-unneeded "$f"
	done
	find "$dir/usr/share/man" -type f -exec gzip -9n {} +
	local doc=$dir/usr/share/doc/$pkg
	mkdir -p "$doc"
	cp "$deb/copyright" "$doc/copyright"
	gzip -9nc "$deb/changelog" > "$doc/changelog.Debian.gz"
	if [ -f "$deb/$pkg.lintian-overrides" ]; then
		mkdir -p "$dir/usr/share/lintian/overrides"
		cp "$deb/$pkg.lintian-overrides" "$dir/usr/share/lintian/overrides/$pkg"
	fi
}

# depends PACKAGE: the Depends line: shared libraries, then programs.
depends() {
	local pkg=$1 bins
	bins=$(find "$work/$pkg" -type f -perm -u+x -exec sh -c \
		'file -b "$1" | grep "^ELF" > /dev/null' _ {} \; -print | sort)
	mkdir -p "$work/shlibs/debian"
	printf 'Source: ksplice\n\nPackage: %s\nArchitecture: any\n' "$pkg" \
		> "$work/shlibs/debian/control"
	local libs
	# shellcheck disable=SC2086
	libs=$(cd "$work/shlibs" && dpkg-shlibdeps -O $bins 2>/dev/null |
		sed -n 's/^shlibs:Depends=//p')
	[ -n "$libs" ] || die "dpkg-shlibdeps found no libraries for $pkg"
	printf '%s%s' "$libs" "${runs[$pkg]:+, ${runs[$pkg]}}"
}

# control PACKAGE: DEBIAN/ of the staged PACKAGE.
control() {
	local pkg=$1 dir=$work/$1
	mkdir -p "$dir/DEBIAN"
	local size
	size=$(du -sk --apparent-size "$dir" | cut -f1)
	{
		sed -n '/^Description:/q;p' "$deb/$pkg.control"
		printf 'Version: %s\n' "$version"
		printf 'Installed-Size: %s\n' "$size"
		printf 'Depends: %s\n' "$(depends "$pkg")"
		sed -n '/^Description:/,$p' "$deb/$pkg.control"
	} | sed "s/^Architecture: .*/Architecture: $arch/" > "$dir/DEBIAN/control"
	for s in postinst prerm postrm; do
		[ -f "$deb/$pkg.$s" ] || continue
		install -m 755 "$deb/$pkg.$s" "$dir/DEBIAN/$s"
	done
	(cd "$dir" && find . -path ./DEBIAN -prune -o -type f -print |
		sed 's|^\./||' | LC_ALL=C sort | xargs -r md5sum) > "$dir/DEBIAN/md5sums"
	# Same modes and dates whatever the umask and the build's clock.
	find "$dir" -type d -exec chmod 755 {} +
	find "$dir" -type f -perm -u+x -exec chmod 755 {} +
	find "$dir" -type f ! -perm -u+x -exec chmod 644 {} +
	find "$dir" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

for pkg in ksplice-tools ksplice-create; do
	stage "$pkg"
	control "$pkg"
	file=$out/${pkg}_${version}_$arch.deb
	dpkg-deb --root-owner-group -Zxz --build "$work/$pkg" "$file" > /dev/null
	echo "$file"
done
