#!/usr/bin/env bash
# Build everything the loader's VM tests load, into OUT_DIR:
#   core/ksplice.ko           the core module
#   kstest/kstest.ko          the target module (testdata/loader/kstest)
#   <update>.ko               patch modules made by ksplice-diff from pre and
#                             post objects of kstest (compiled with different
#                             -D values) or of fs/proc/cmdline.c
#
#   tests/loader/build-tests.sh --diff KSPLICE_DIFF OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
diff=
if [ "${1:-}" = --diff ]; then diff=$2; shift 2; fi
[ -n "$diff" ] && [ $# -eq 1 ] || { echo "usage: $0 --diff KSPLICE_DIFF OUT_DIR" >&2; exit 2; }
[ -x "$diff" ] || { echo "build-tests: no ksplice-diff at $diff" >&2; exit 1; }
. "$root/scripts/kernel-env.sh"
rm -rf "$1"
mkdir -p "$1"
out=$(cd "$1" && pwd)
symvers=$KSPLICE_HEADERS/Module.symvers

# The builds below are independent of each other unless said: they run
# as background jobs, as many at once as there are CPUs (each kbuild of a
# small module is mostly one process).  spawn CMD... starts one, waiting
# for a slot; drain waits for all and fails if any did.
slots=$(nproc) running=0 failed=0
spawn() {
	"$@" &
	running=$((running + 1))
	if [ "$running" -ge "$slots" ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
}
drain() {
	while [ "$running" -gt 0 ]; do
		wait -n || failed=1
		running=$((running - 1))
	done
	[ "$failed" = 0 ] || { echo "build-tests: a build failed (above)" >&2; exit 1; }
}

"$root/loader-kmod/build-core.sh" "$out/core"
export KSPLICE_CORE_DIR=$out/core

# kstest builds: name and compiler flags.  "kstest" is the one loaded.
variants=(
	"kstest:"
	"v2:-DKSTEST_VALUE=2"
	"v3:-DKSTEST_VALUE=3"
	"v5:-DKSTEST_VALUE=5"
	"dupb:-DKSTEST_DUP_ADD=1"
	"dupb22:-DKSTEST_DUP_ADD=2"
	"shadow:-DKSTEST_SHADOW_ADD=1"
	"xmod:-DKSTEST_XMOD"
	"many:-DKSTEST_MANY_ADD=100"
	"sleep:-DKSTEST_SLEEPER=8"
	"helper:-DKSTEST_HELPER"
	"cold:-DKSTEST_COLD=2"
	"cold3:-DKSTEST_COLD=3"
	"v2s9:-DKSTEST_VALUE=2 -DKSTEST_SLEEPER=9"
	"sites:-DKSTEST_SITES=2"
	"sites-o5:-DKSTEST_SITES_OTHER=5"
	"sites-o5v2:-DKSTEST_SITES_OTHER=5 -DKSTEST_SITES=2"
	"hooks:-DKSTEST_HOOKS -DKSTEST_DUP_ADD=1 -I$root/loader-kmod/include"
	"wait2:-DKSTEST_WAIT=2"
	"relax-fs:-DKSTEST_RELAX_FS"
	"relax2:-DKSTEST_RELAX_FS -DKSTEST_RELAX=2"
)
for v in "${variants[@]}"; do
	spawn env KSTEST_FLAGS="${v#*:}" "$root/scripts/build-module.sh" \
		"$root/testdata/loader/kstest" "$out/${v%%:*}"
done
drain

# The busy-cold test needs GCC to have split kstest_cold's unlikely path
# into kstest_cold.cold, in its own section.  (grep reads all: with
# pipefail, grep -q could leave readelf to die of SIGPIPE.)
readelf -sW "$out/kstest/kstest_cold.o" |
	grep ' FUNC .* kstest_cold\.cold$' >/dev/null &&
	readelf -SW "$out/kstest/kstest_cold.o" |
	grep ' \.text\.unlikely\.kstest_cold ' >/dev/null ||
	{ echo "build-tests: kstest_cold.o has no kstest_cold.cold part" >&2; exit 1; }

# The relax test needs the running kstest_relax.o (no -ffunction-sections)
# to have the tail calls to relax_target relaxed to 2-byte jumps.
[ "$(objdump -d "$out/kstest/kstest_relax.o" | grep -c '	eb [0-9a-f][0-9a-f] .*jmp .*<relax_target>')" = 2 ] ||
	{ echo "build-tests: kstest_relax.o has no 2-byte jumps to relax_target" >&2; exit 1; }

# diff_unit ID N UNIT_OBJ PRE.o POST.o TARGET: patch object $out/ID.N.o
diff_unit() {
	local id=$1 n=$2 unit=$3 pre=$4 post=$5 target=$6 rc=0
	local sym=ksplice_unit_${id//-/_}_$n
	"$diff" --symvers "$symvers" --unit-name "$unit" --unit-symbol "$sym" \
		--target "$target" "$pre" "$post" -o "$out/$id.$n.o" >/dev/null ||
		rc=$?
	[ $rc -eq 0 ] || { echo "build-tests: ksplice-diff $id ($unit): exit $rc" >&2; exit 1; }
}

# make_update ID [UNIT_OBJ PRE.o POST.o TARGET]...: patch module $out/ID.ko,
# built in the background (drain waits for it)
make_update() {
	spawn make_update_now "$@"
}
make_update_now() {
	local id=$1 n=0 objs=()
	shift
	while [ $# -gt 0 ]; do
		diff_unit "$id" $n "$1" "$2" "$3" "$4"
		objs+=("$out/$id.$n.o")
		n=$((n + 1))
		shift 4
	done
	"$root/scripts/build-patch-module.sh" --id "$id" \
		--description "loader test update $id" -o "$out/$id.ko" "${objs[@]}"
}

k=$out/kstest
make_update value2 kstest_main.o "$k/kstest_main.o" "$out/v2/kstest_main.o" kstest
make_update value3 kstest_main.o "$out/v2/kstest_main.o" "$out/v3/kstest_main.o" kstest
make_update mismatch kstest_main.o "$out/v5/kstest_main.o" "$out/v2/kstest_main.o" kstest
make_update dupb kstest_b.o "$k/kstest_b.o" "$out/dupb/kstest_b.o" kstest
make_update shadow kstest_b.o "$k/kstest_b.o" "$out/shadow/kstest_b.o" kstest
make_update xmod kstest_b.o "$k/kstest_b.o" "$out/xmod/kstest_b.o" kstest
make_update many kstest_many.o "$k/kstest_many.o" "$out/many/kstest_many.o" kstest
make_update sleeper kstest_main.o "$k/kstest_main.o" "$out/sleep/kstest_main.o" kstest
make_update cold kstest_cold.o "$k/kstest_cold.o" "$out/cold/kstest_cold.o" kstest
make_update sites kstest_sites.o "$k/kstest_sites.o" "$out/sites/kstest_sites.o" kstest
# Pre code with one section per function; the running code has none.
make_update relax kstest_relax.o "$out/relax-fs/kstest_relax.o" \
	"$out/relax2/kstest_relax.o" kstest
# Built from a source whose kstest_sites_other (global, not replaced)
# differs from the running one.
make_update sites-stale kstest_sites.o "$out/sites-o5/kstest_sites.o" \
	"$out/sites-o5v2/kstest_sites.o" kstest
make_update waiter kstest_wait.o "$k/kstest_wait.o" "$out/wait2/kstest_wait.o" kstest
make_update cold3 kstest_cold.o "$out/cold/kstest_cold.o" "$out/cold3/kstest_cold.o" kstest
# Built on value2 (pre = value2's post) but replacing another function:
# its pre code of kstest_value matches only value2's new code.
make_update after-value2 kstest_main.o "$out/v2/kstest_main.o" "$out/v2s9/kstest_main.o" kstest
# New code calling a global function that is not in the running kstest.
make_update missing kstest_main.o "$k/kstest_main.o" "$out/helper/kstest_main.o" kstest
# Pre code that differs from the running kstest in two replaced functions
# (kstest_value and kstest_sleeper); and in all ten of kstest_many.
make_update mismatch2 kstest_main.o "$out/v2s9/kstest_main.o" "$k/kstest_main.o" kstest
make_update many-bad kstest_many.o "$out/many/kstest_many.o" "$k/kstest_many.o" kstest
# Two units in one update; and two where the second does not match.
make_update combo kstest_main.o "$k/kstest_main.o" "$out/v2/kstest_main.o" kstest \
	kstest_b.o "$k/kstest_b.o" "$out/dupb/kstest_b.o" kstest
make_update combo-bad kstest_main.o "$k/kstest_main.o" "$out/v2/kstest_main.o" kstest \
	kstest_b.o "$out/dupb22/kstest_b.o" "$out/dupb/kstest_b.o" kstest
# Hooks (kstest_hooks.c, kstest.h): one unit with its own state
# conversion; two units; a busy function in one unit and hooks in another.
make_update hooks kstest_hooks.o "$k/kstest_hooks.o" "$out/hooks/kstest_hooks.o" kstest
make_update hooks-ab kstest_a.o "$k/kstest_a.o" "$out/hooks/kstest_a.o" kstest \
	kstest_b.o "$k/kstest_b.o" "$out/hooks/kstest_b.o" kstest
make_update hooks-busy kstest_main.o "$k/kstest_main.o" "$out/sleep/kstest_main.o" kstest \
	kstest_hooks.o "$k/kstest_hooks.o" "$out/hooks/kstest_hooks.o" kstest

# The kernel objects, before and after the patches of
# testdata/kernel-patches (one kbuild dry run for all of them).
kp=$root/testdata/kernel-patches
kobjs=(fs/proc/cmdline.c:"$out/cmdline/pre.o" fs/proc/cmdline.c:"$out/cmdline/post.o":"$kp/cmdline-string.patch"
	fs/binfmt_misc.c:"$out/binfmt/pre.o" fs/binfmt_misc.c:"$out/binfmt/post.o":"$kp/binfmt-status.patch")
kps=(meminfo-string:fs/proc/meminfo.c data-new:fs/proc/meminfo.c
	new-function:fs/proc/version.c syscall:kernel/sys.c
	special-static:fs/proc/uptime.c)
for c in "${kps[@]}"; do
	n=${c%%:*} f=${c#*:}
	kobjs+=("$f:$out/kp-$n/pre.o" "$f:$out/kp-$n/post.o:$kp/$n.patch")
done
"$here/kernel-obj.sh" "${kobjs[@]}"

make_update cmdline fs/proc/cmdline.o "$out/cmdline/pre.o" "$out/cmdline/post.o" vmlinux
# One update, two targets: vmlinux and the kstest module.
make_update vmmod fs/proc/cmdline.o "$out/cmdline/pre.o" "$out/cmdline/post.o" vmlinux \
	kstest_main.o "$k/kstest_main.o" "$out/v2/kstest_main.o" kstest

# A real Debian module, binfmt_misc (fs/binfmt_misc.c): its filesystem's
# status file says "enabled (ksplice)".
make_update binfmt fs/binfmt_misc.o "$out/binfmt/pre.o" "$out/binfmt/post.o" binfmt_misc
# One update, three targets: vmlinux, kstest and binfmt_misc.
make_update vm2mod fs/proc/cmdline.o "$out/cmdline/pre.o" "$out/cmdline/post.o" vmlinux \
	kstest_main.o "$k/kstest_main.o" "$out/v2/kstest_main.o" kstest \
	fs/binfmt_misc.o "$out/binfmt/pre.o" "$out/binfmt/post.o" binfmt_misc

# The real-kernel patches of testdata/kernel-patches that make updates.
for c in "${kps[@]}"; do
	n=${c%%:*} f=${c#*:}
	make_update "kp-$n" "${f%.c}.o" "$out/kp-$n/pre.o" "$out/kp-$n/post.o" vmlinux
done
drain
echo "build-tests: built in $out"
