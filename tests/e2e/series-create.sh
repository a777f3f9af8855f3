#!/usr/bin/env bash
# ksplice-create --series on a "later release" made here: the running
# kernel's source (hard-linked, so nothing of it is copied or changed) with
# six of the suite's patches and two more edits applied, one file each:
#   fs/proc/cmdline.c, fs/proc/meminfo.c   updates (one function each)
#   fs/binfmt_misc.c                       an update of the module binfmt_misc
#   fs/proc/generic.c                      no functional change
#   kernel/sys.c                           refused (an initial value)
#   include/linux/time_namespace.h         a header: listed, not carried
#   arch/arm/kernel/setup.c                not in this configuration
#   Documentation/admin-guide/README.rst   not a C file
# The exit status, the report's line for each file, its coverage line and
# the index are checked; the series is left in WORK_DIR/series for
# e2e.series_created, which applies it in the VM.  Two workers build the
# files (each with its own farm), so the report must not depend on the
# order they finish in.
#   series-create.sh KSPLICE_CREATE WORK_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
create=$(readlink -f "$1") work=$2
. "$root/scripts/kernel-env.sh"
patches=$root/testdata/kernel-patches
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
new=$work/linux-later
cp -al "$KSPLICE_SRC" "$new"
(
	cd "$new"
	for p in cmdline-string meminfo-string binfmt-status nochange-warn-line \
		 refuse-data header-inline; do
		patch -s -p1 < "$patches/$p.patch"
	done
	# sed -i and patch write a new file: the hard link to the source is cut.
	sed -i 's|^#include <linux/kernel.h>$|& /* ksplice series test */|' arch/arm/kernel/setup.c
	sed -i '1s/$/ /' Documentation/admin-guide/README.rst
)
rc=0
"$create" --series "$new" --series-jobs 2 -j 1 --from "$KSPLICE_KVER" --to "$KSPLICE_KVER+test" \
	--config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
	--cache "$work/cache" -o "$work/series" "$KSPLICE_SRC" > "$work/create.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$work/create.log"; fail "ksplice-create --series exited $rc"; }
report=$work/series/report.txt
expect() { grep -qxF -- "$1" "$report" || { cat "$report"; fail "report: no line '$1'"; }; }
expect "Documentation/admin-guide/README.rst: not a C file, not carried"
expect "arch/arm/kernel/setup.c: not in this configuration"
expect "fs/binfmt_misc.c: update fs-binfmt_misc (1 function)"
expect "fs/proc/cmdline.c: update fs-proc-cmdline (1 function)"
expect "fs/proc/generic.c: no functional change"
expect "fs/proc/meminfo.c: update fs-proc-meminfo (1 function)"
expect "include/linux/time_namespace.h: header, not carried"
grep -q "^kernel/sys.c: refused: .*'overflowuid': changed data" "$report" ||
	{ cat "$report"; fail "report: kernel/sys.c not refused for its data"; }
grep -q '^coverage: 3 of 4 changed functions of this kernel replaced (75 %)' "$report" ||
	{ cat "$report"; fail "report: wrong coverage"; }
[ "$(grep -c '^update ' "$work/series/series")" = 3 ] &&
	grep -q '^update fs-proc-cmdline 003-fs-proc-cmdline.tar.gz [0-9a-f]\{64\}$' "$work/series/series" &&
	grep -q "^kernel-release $KSPLICE_KREL$" "$work/series/series" ||
	{ cat "$work/series/series"; fail "index: not the three updates for $KSPLICE_KREL"; }
# The running kernel's source is as it was.
[ "$(stat -c %h "$KSPLICE_SRC/fs/proc/cmdline.c")" = 1 ] ||
	fail "a patched file is still linked to the source"
rm -rf "$new"
echo "ok: series of 3 updates (one of a module) from 8 changed files; every file's fate in the report"
