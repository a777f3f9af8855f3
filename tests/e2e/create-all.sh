#!/usr/bin/env bash
# Host side of the real-kernel suite: run ksplice-create on every patch of
# testdata/kernel-patches against the cached Debian source, check each exit
# status against cases.tsv, and leave the packages in OUTDIR for the VM
# tests.  Also builds data-new on top of meminfo-string (--after) for the
# stacked test, and checks that the same inputs give a byte-identical
# package.
#   create-all.sh KSPLICE_CREATE OUTDIR
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
create=$(readlink -f "$1") out=$2
. "$root/scripts/kernel-env.sh" || exit 1
patches=$root/testdata/kernel-patches
mkdir -p "$out"
out=$(readlink -f "$out")
failed=0

make_update() { # ID EXPECTED ARGS...
	local id=$1 want=$2 rc
	shift 2
	"$create" --id "$id" --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
		--cache "$out/cache" -o "$out/$id.tar.gz" "$@" "$KSPLICE_SRC" \
		> "$out/$id.log" 2>&1
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $id: ksplice-create exited $rc, expected $want"
		sed 's/^/    /' "$out/$id.log"
		failed=1
	else
		echo "ok: $id: exit $rc: $(grep -E '^(  replaced|refused|  new)' "$out/$id.log" | tr '\n' ';')"
	fi
}

while IFS=$'\t' read -r case want what; do
	case $case in '#'* | '') continue ;; esac
	make_update "$case" "$want" --patch "$patches/$case.patch"
done < "$patches/cases.tsv"

make_update data-new-series 0 --patch "$patches/data-new.patch" \
	--after "$patches/meminfo-string.patch"

# Reproducible: the same inputs give the same bytes.  The rebuild also
# gives the cache and the output as relative paths (the helper scripts run
# make elsewhere: a regression once).
cp "$out/cmdline-string.tar.gz" "$out/cmdline-string.first.tar.gz"
rm "$out/cmdline-string.tar.gz"
(
	cd "$out" && "$create" --id cmdline-string --config "$KSPLICE_KCONFIG" \
		--headers "$KSPLICE_HEADERS" --cache cache -o cmdline-string.tar.gz \
		--patch "$patches/cmdline-string.patch" "$KSPLICE_SRC" > cmdline-string.log 2>&1
) || { echo "FAIL: cmdline-string with a relative --cache and -o:"; sed 's/^/    /' "$out/cmdline-string.log"; failed=1; }
if cmp -s "$out/cmdline-string.tar.gz" "$out/cmdline-string.first.tar.gz"; then
	echo "ok: cmdline-string: rebuilt package is byte-identical"
else
	echo "FAIL: cmdline-string: rebuilding gave a different package"
	failed=1
fi
exit $failed
