#!/usr/bin/env bash
# packaging.deb (label unit): scripts/build-deb.sh on this build, twice.
# The packages are byte-identical both times; each holds exactly its
# programs, man pages, data and docs; Depends names the libraries and
# programs; lintian finds no error or warning that is not overridden (and
# explained) in packaging/debian/*.lintian-overrides; the installed
# ksplice-create reads its data from /usr/share/ksplice, which holds what
# it reads there in this source tree, and the Ansible role (packaging/ansible).
#
#   tests/packaging/check-deb.sh BUILD_DIR WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
build=$1 work=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
"$root/scripts/build-deb.sh" --build "$build" -o "$work/a" > "$work/a.list"
sleep 1	# a second later: any date taken from the clock would differ
"$root/scripts/build-deb.sh" --build "$build" -o "$work/b" > "$work/b.list"
[ "$(wc -l < "$work/a.list")" = 2 ] || fail "build-deb.sh printed $(cat "$work/a.list")"
for a in $(cat "$work/a.list"); do
	cmp "$a" "$work/b/$(basename "$a")" || fail "$(basename "$a") differs between two builds"
done
tools=$(grep /ksplice-tools_ "$work/a.list")
create=$(grep /ksplice-create_ "$work/a.list")

# contents DEB: the paths it installs, sorted, directories with a slash.
contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|' | sort; }
contents "$tools" > "$work/tools.contents"
cat > "$work/tools.want" <<'EOT'
/
/etc/
/etc/ksplice/
/etc/ksplice/keys/
/lib/
/lib/systemd/
/lib/systemd/system/
/lib/systemd/system/ksplice-boot.service
/lib/udev/
/lib/udev/rules.d/
/lib/udev/rules.d/60-ksplice.rules
/usr/
/usr/sbin/
/usr/sbin/ksplice-apply
/usr/sbin/ksplice-undo
/usr/sbin/ksplice-view
/usr/share/
/usr/share/doc/
/usr/share/doc/ksplice-tools/
/usr/share/doc/ksplice-tools/changelog.Debian.gz
/usr/share/doc/ksplice-tools/copyright
/usr/share/doc/ksplice-tools/user-guide.md
/usr/share/lintian/
/usr/share/lintian/overrides/
/usr/share/lintian/overrides/ksplice-tools
/usr/share/man/
/usr/share/man/man8/
/usr/share/man/man8/ksplice-apply.8.gz
/usr/share/man/man8/ksplice-undo.8.gz
/usr/share/man/man8/ksplice-view.8.gz
EOT
diff -u "$work/tools.want" "$work/tools.contents" || fail "ksplice-tools holds other files"

contents "$create" > "$work/create.contents"
for f in /usr/bin/ksplice-create /usr/bin/ksplice-diff /usr/bin/ksplice-klp-convert \
	/usr/share/man/man1/ksplice-create.1.gz /usr/share/man/man1/ksplice-diff.1.gz \
	/usr/share/man/man1/ksplice-klp-convert.1.gz \
	/usr/share/doc/ksplice-create/copyright /usr/share/doc/ksplice-create/changelog.Debian.gz; do
	grep -qx "$f" "$work/create.contents" || fail "ksplice-create lacks $f"
done
# The data: every file of the source tree that create/ reads there.
(cd "$root" && { find loader-kmod/core loader-kmod/include loader-kmod/patch -type f
	echo loader-kmod/build-core.sh; echo scripts/build-module.sh
	echo scripts/build-patch-module.sh; } | sed 's|^|/usr/share/ksplice/|' | sort) > "$work/data.want"
grep '^/usr/share/ksplice/.*[^/]$' "$work/create.contents" | grep -v '^/usr/share/ksplice/ansible/' \
	> "$work/data.have" || true
diff -u "$work/data.want" "$work/data.have" || fail "/usr/share/ksplice is not the data create reads"
# The Ansible role and playbook (packaging/ansible), all of it.
(cd "$root/packaging" && find ansible -type f | sed 's|^|/usr/share/ksplice/|' | sort) > "$work/ansible.want"
grep '^/usr/share/ksplice/ansible/.*[^/]$' "$work/create.contents" > "$work/ansible.have" || true
diff -u "$work/ansible.want" "$work/ansible.have" || fail "/usr/share/ksplice/ansible is not packaging/ansible"

# Depends: the package of every library the programs load (libcrypto's
# libssl3 once the tools link it), no create-side library in the tools,
# and the programs ksplice-create runs.
field() { dpkg-deb -f "$1" "$2"; }
# needs DEB PROGRAM...: each library PROGRAM links has its package in Depends.
needs() {
	local deb=$1 prog p pkg; shift
	for prog in "$@"; do
		# The libraries it names (DT_NEEDED), where ldd finds them.
		readelf -d "$prog" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' > "$work/needed"
		ldd "$prog" | awk 'NR == FNR { n[$1] = 1; next } $1 in n && $3 ~ /^\// { print $3 }' \
			"$work/needed" - > "$work/libs"
		[ -s "$work/libs" ] || fail "ldd found no libraries in $prog"
		while read -r p; do
			pkg=$({ dpkg -S "$p" || dpkg -S "/usr$p"; } 2> /dev/null | head -1 | cut -d: -f1)
			[ -n "$pkg" ] || fail "no package holds $p"
			field "$deb" Depends | grep "\b$pkg\b" > /dev/null ||
				fail "$(basename "$deb") lacks $pkg ($p, loaded by $(basename "$prog")) in Depends: $(field "$deb" Depends)"
		done < "$work/libs"
	done
}
needs "$tools" "$build"/cli/ksplice-{apply,undo,view}
needs "$create" "$build"/cli/install-tree/ksplice-create "$build"/cli/ksplice-{diff,klp-convert}
field "$tools" Depends | grep -E 'llvm|libfmt|libelf' > /dev/null && fail "ksplice-tools depends on $(field "$tools" Depends)"
for p in gcc-12 make patch binutils libelf-dev; do
	field "$create" Depends | grep "\b$p\b" > /dev/null || fail "ksplice-create does not depend on $p"
done
[ "$(field "$tools" Version)" = "$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -SVersion)" ] ||
	fail "version is not the changelog's"

# The installed ksplice-create reads its data from /usr/share/ksplice.
mkdir "$work/x"
dpkg-deb -x "$create" "$work/x"
grep -q -a /usr/share/ksplice "$work/x/usr/bin/ksplice-create" ||
	fail "the packaged ksplice-create does not name /usr/share/ksplice"
"$work/x/usr/bin/ksplice-create" --help > /dev/null || fail "packaged ksplice-create --help"

# lintian: errors and warnings fail; info and pedantic tags are advice.
lintian --fail-on error,warning "$tools" "$create" || fail "lintian"
echo "ok: ksplice-tools and ksplice-create build deterministically and pass lintian"
