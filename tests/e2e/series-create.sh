#!/usr/bin/env bash
# ksplice-create --series on a "later release" made here: the running
# kernel's source (hard-linked, so nothing of it is copied or changed) with
# six of the suite's patches and four more edits applied:
#   fs/binfmt_misc.c, fs/proc/meminfo.c    updates (one function each),
#                                          compiled together (once per side)
#   fs/proc/cmdline.c + fs/proc/internal.h the .c needs a macro the header
#                                          adds: one update, after meminfo's
#                                          (meminfo.o includes the header)
#   include/linux/time_namespace.h         a header alone, carried (an
#                                          inline function: 12 objects)
#   fs/proc/generic.c                      no functional change alone; in
#                                          the fs/proc/internal.h update
#                                          (generic.o is one of its objects)
#   kernel/sys.c                           refused (an initial value)
#   arch/arm/kernel/setup.c                not in this configuration
#   Documentation/admin-guide/README.rst   not a C file
# The exit status, the report's line for each file, its coverage line and
# the index are checked; the series is left in WORK_DIR/series for
# e2e.series_created, which applies it in the VM.  Two workers build the
# files (each with its own farm), so the report must not depend on the
# order they finish in.  A second series from the same trees compiles no
# pre object again (they are kept); the header groups take kept ones.
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
	# cmdline.c's new version needs a header change: a macro in
	# fs/proc/internal.h, which meminfo.c (an update before it) includes.
	sed -i -e 's|^#include <linux/seq_file.h>$|&\n#include "internal.h"|' \
	       -e 's|seq_puts(m, " ksplice=1");|seq_puts(m, KSPLICE_CMDLINE_TAG);|' fs/proc/cmdline.c
	sed -i '$a #define KSPLICE_CMDLINE_TAG " ksplice=1" /* ksplice series test */' fs/proc/internal.h
	# sed -i and patch write a new file: the hard link to the source is cut.
	sed -i 's|^#include <linux/kernel.h>$|& /* ksplice series test */|' arch/arm/kernel/setup.c
	sed -i '1s/$/ /' Documentation/admin-guide/README.rst
)
rc=0
# --resume on a first run: nothing to take, but what it builds may be
# taken by a run that resumes it (below).
"$create" --series "$new" --series-jobs 2 -j 1 --from "$KSPLICE_KVER" --to "$KSPLICE_KVER+test" \
	--resume --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
	--cache "$work/cache" -o "$work/series" "$KSPLICE_SRC" > "$work/create.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$work/create.log"; fail "ksplice-create --series exited $rc"; }
report=$work/series/report.txt
expect() { grep -qxF -- "$1" "$report" || { cat "$report"; fail "report: no line '$1'"; }; }
expect "Documentation/admin-guide/README.rst: not a C file, not carried"
expect "arch/arm/kernel/setup.c: not in this configuration"
expect "fs/binfmt_misc.c: update fs-binfmt_misc (1 function)"
expect "fs/proc/cmdline.c: update fs-proc-cmdline (1 function)"
expect "fs/proc/internal.h: update: with fs/proc/cmdline.c"
expect "fs/proc/generic.c: update: with fs/proc/cmdline.c"
expect "fs/proc/meminfo.c: update fs-proc-meminfo (1 function)"
expect "include/linux/time_namespace.h: update include-linux-time_namespace-h (1 function)"
grep -q "^kernel/sys.c: refused: .*'overflowuid': changed data" "$report" ||
	{ cat "$report"; fail "report: kernel/sys.c not refused for its data"; }
grep -q '^coverage: 4 of 5 changed functions of this kernel replaced (80 %)' "$report" ||
	{ cat "$report"; fail "report: wrong coverage"; }
grep -q '^headers: 2 carried' "$report" || { cat "$report"; fail "report: not 2 headers carried"; }
# Each record says which objects' functions the change alters, and their
# targets: coverage over the code a kernel runs counts them (bench-release).
grep -qx 'functions fs/proc/cmdline.o vmlinux 1' "$work"/series/results/*-fs-proc-cmdline &&
	grep -qx 'functions fs/binfmt_misc.o binfmt_misc 1' "$work"/series/results/*-fs-binfmt_misc ||
	{ cat "$work"/series/results/*-fs-proc-cmdline "$work"/series/results/*-fs-binfmt_misc
	  fail "records: no functions line with the object's target"; }
index=$work/series/series
[ "$(grep '^update ' "$index" | cut -d' ' -f2 | tr '\n' ' ')" = \
  "fs-binfmt_misc fs-proc-meminfo fs-proc-cmdline include-linux-time_namespace-h " ] &&
	grep -q '^update fs-proc-cmdline 007-fs-proc-cmdline.tar.gz [0-9a-f]\{64\}$' "$index" &&
	grep -q "^kernel-release $KSPLICE_KREL$" "$index" ||
	{ cat "$index"; fail "index: not the four updates for $KSPLICE_KREL, in order"; }
grep -q "compiled once: 5 objects .*: 4 files ready, 1 to build alone" "$work/create.log" ||
	{ cat "$work/create.log"; fail "the .c files were not compiled once per side"; }
# The header groups take the pre objects the batch and the groups before
# them compiled (create/pre_cache.h), but never one that an update they
# are built on changes: fs/proc/meminfo.o is compiled again, with
# fs-proc-meminfo's change, for fs/proc/internal.h's group (taken as it
# was, the group would replace meminfo_proc_show too: 2 functions).
grep -q "taking [0-9]* objects before the changes from $work/cache/series-pre" "$work/create.log" ||
	{ cat "$work/create.log"; fail "the header groups took no kept pre object"; }
# fs-proc-cmdline is built on fs-proc-meminfo: its manifest requires it.
after=$(tar -xOzf "$work/series/007-fs-proc-cmdline.tar.gz" --wildcards '*/manifest' | grep -c '^after ')
[ "$after" = 1 ] || fail "fs-proc-cmdline: $after after lines, not 1 (fs-proc-meminfo)"
# Interrupted and resumed: with fs/binfmt_misc.c's saved result gone (as
# if the run had stopped before it), --resume takes the other files and
# both header groups from the first run, builds binfmt_misc again (its pre
# and post objects kept: nothing is compiled), and the series is the same
# bytes.
cp "$index" "$work/series.first" && cp "$report" "$work/report.first"
rm "$work/series/results/002-fs-binfmt_misc"
"$create" --series "$new" --series-jobs 2 -j 1 --from "$KSPLICE_KVER" --to "$KSPLICE_KVER+test" \
	--resume --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
	--cache "$work/cache" -o "$work/series" "$KSPLICE_SRC" > "$work/resume.log" 2>&1 ||
	{ cat "$work/resume.log"; fail "the resumed series failed"; }
grep -q "resuming: 5 of 6 .c files built by an earlier run" "$work/resume.log" &&
	[ "$(grep -c ': built by an earlier run$' "$work/resume.log")" = 2 ] &&
	grep -q "compiled once: 1 objects (pre [0-9]* s, 1 kept from an earlier series; post [0-9]* s, 1 kept from an earlier run)" "$work/resume.log" ||
	{ cat "$work/resume.log"; fail "--resume did not take the earlier run's results"; }
cmp -s "$index" "$work/series.first" && cmp -s "$report" "$work/report.first" ||
	{ diff "$work/report.first" "$report"; fail "the resumed series differs from the first"; }
# The later tree changed in place (same path, so the same inputs): the
# saved result and the kept post object of fs/binfmt_misc.c were made from
# another diff, so it is built again; the others are taken.
sed -i '1s|$| /* ksplice series test: changed in place */|' "$new/fs/binfmt_misc.c"
"$create" --series "$new" --series-jobs 2 -j 1 --from "$KSPLICE_KVER" --to "$KSPLICE_KVER+test" \
	--resume --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
	--cache "$work/cache" -o "$work/series" "$KSPLICE_SRC" > "$work/inplace.log" 2>&1 ||
	{ cat "$work/inplace.log"; fail "the series of a tree changed in place failed"; }
grep -q "resuming: 5 of 6 .c files built by an earlier run" "$work/inplace.log" &&
	grep -q "compiled once: 1 objects (pre [0-9]* s, 1 kept from an earlier series; post [0-9]* s, 0 kept from an earlier run)" "$work/inplace.log" &&
	! cmp -s "$index" "$work/series.first" ||
	{ cat "$work/inplace.log"; fail "--resume took results of the tree's former contents"; }
# The same trees again, carrying no header: every pre object is kept from
# the first run, the updates of the .c files are the same bytes, and the
# headers and the file that needs one say what carrying them would take.
"$create" --series "$new" -j 1 --series-header-objects 0 --from "$KSPLICE_KVER" \
	--to "$KSPLICE_KVER+test" --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
	--cache "$work/cache" -o "$work/series2" "$KSPLICE_SRC" > "$work/create2.log" 2>&1 ||
	{ cat "$work/create2.log"; fail "the second series failed"; }
grep -q "compiling 0 objects before the changes (5 kept from an earlier series)" "$work/create2.log" ||
	{ cat "$work/create2.log"; fail "the second series compiled pre objects again"; }
[ "$(grep '^update ' "$work/series2/series")" = "$(grep -e '^update fs-binfmt_misc ' -e '^update fs-proc-meminfo ' "$index")" ] ||
	{ cat "$work/series2/series"; fail "the second series' updates are not the first's"; }
report=$work/series2/report.txt
expect "include/linux/time_namespace.h: header, not carried: #included by 12 objects of this configuration, more than --series-header-objects 0"
expect "fs/proc/generic.c: no functional change"
grep -q '^headers: 0 carried (0 objects include them), 2 not carried (more than 0 objects each; 36 in all' "$report" ||
	{ cat "$report"; fail "report: the headers' summary is wrong"; }
grep -q "^fs/proc/cmdline.c: needs a header change, not carried: fs/proc/internal.h, #included by [0-9]* objects" "$report" ||
	{ cat "$report"; fail "report: fs/proc/cmdline.c does not say which header it needs"; }
# The running kernel's source is as it was.
[ "$(stat -c %h "$KSPLICE_SRC/fs/proc/cmdline.c")" = 1 ] ||
	fail "a patched file is still linked to the source"
rm -rf "$new"
echo "ok: series of 4 updates (one of a module, two carrying headers, one after another) from 9 changed files; compiled once per side; resumed; pre objects kept"
