#!/usr/bin/env bash
# ksplice-create on real header patches against the cached Debian source
# (label "kernel"):
#   * header-inline (testdata/kernel-patches): a static inline in
#     include/linux/time_namespace.h; 12 objects include it, exit 0 and
#     exactly one changed unit, fs/proc/array.o (do_task_stat);
#   * header-comment: a comment in fs/proc/fd.h: exit 3, fs/proc/base.o and
#     fs/proc/fd.o compared, no change;
#   * header-data: UTS_SYSNAME in include/linux/uts.h: exit 2, init/version.o
#     refused (init_uts_ns is data), a module (gadgetfs) among the units;
#   * header-layout: a field added to struct rt_sigframe_ia32
#     (arch/x86/include/asm/sigframe.h): exit 2, asm-offsets.h changes;
#     the farm's asm-offsets.h is the pristine one again afterwards (the
#     same as the target's headers);
#   * the source tree is unchanged and the farm's headers are links again;
#   * the configured modules are exactly the image's modules.order;
#   * for a sample of objects compiled in the farm, every file the compiler
#     read is one the include graph reaches (the graph misses no includer).
#   header-patch.sh KSPLICE_CREATE CREATE_CHECK WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
create=$1 check=$2 work=$3
. "$root/scripts/kernel-env.sh" || exit 1
mkdir -p "$work"
cache=$work/cache
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# CASE PATCH EXPECTED-EXIT: runs ksplice-create, leaves $work/CASE.{out,err}
run_case() {
	local id=$1 patch=$2 want=$3 rc start
	start=$(date +%s.%N)
	"$create" --id "$id" --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
		--cache "$cache" -j "$(nproc)" -o "$work/$id.tar.gz" --patch "$patch" \
		"$KSPLICE_SRC" > "$work/$id.out" 2> "$work/$id.err"
	rc=$?
	awk -v id="$id" -v rc="$rc" -v s="$start" -v e="$(date +%s.%N)" \
		'BEGIN { printf "%s: exit %s in %.1f s\n", id, rc, e - s }'
	if [ "$rc" != "$want" ]; then
		fail "$id: ksplice-create exited $rc, expected $want"
		sed 's/^/    /' "$work/$id.err" "$work/$id.out"
		return 1
	fi
	grep -E '^ksplice-create: (include graph|.*#included by|dependency files)' "$work/$id.err" |
		sed 's/^/    /'
}
units() { grep -E '^[^ ]+\.o \(' "$work/$1.out"; }
expect_units() { # CASE EXPECTED-LINES
	local got
	got=$(units "$1")
	[ "$got" = "$2" ] || { fail "$1: units"; echo "got:"; echo "$got"; echo "expected:"; echo "$2"; }
}

stamp=$work/stamp
touch "$stamp"
headers="include/linux/time_namespace.h fs/proc/fd.h include/linux/uts.h
	arch/x86/include/asm/sigframe.h"
before=$(cd "$KSPLICE_SRC" && sha256sum $headers)

if run_case header-inline "$root/testdata/kernel-patches/header-inline.patch" 0; then
	expect_units header-inline "arch/x86/entry/vdso/vma.o (vmlinux): no-change
fs/proc/array.o (vmlinux): changed
fs/proc/base.o (vmlinux): no-change
fs/proc/stat.o (vmlinux): no-change
fs/proc/uptime.o (vmlinux): no-change
fs/timerfd.o (vmlinux): no-change
kernel/futex/syscalls.o (vmlinux): no-change
kernel/nsproxy.o (vmlinux): no-change
kernel/sys.o (vmlinux): no-change
kernel/time/alarmtimer.o (vmlinux): no-change
kernel/time/namespace.o (vmlinux): no-change
kernel/time/posix-timers.o (vmlinux): no-change"
	[ "$(grep -E '^  (replaced|new)' "$work/header-inline.out")" = "  replaced function: do_task_stat" ] ||
		fail "header-inline: replaced functions: $(grep -E '^  ' "$work/header-inline.out" | tr '\n' ';')"
	grep -q "include/linux/time_namespace.h: #included by .*; 12 objects of this configuration (12 in vmlinux)" \
		"$work/header-inline.err" || fail "header-inline: no object count in the progress output"
	[ -f "$work/header-inline.tar.gz" ] || fail "header-inline: no package"
fi

if run_case header-layout "$here/patches/header-layout.patch" 2; then
	grep -q "^refused: include/generated/asm-offsets.h: the patch changes the structure offsets" \
		"$work/header-layout.out" || fail "header-layout: no asm-offsets.h refusal"
fi

# (after header-layout: its pre compile remakes asm-offsets.h)
if run_case header-comment "$here/patches/header-comment.patch" 3; then
	expect_units header-comment "fs/proc/base.o (vmlinux): no-change
fs/proc/fd.o (vmlinux): no-change"
fi

if run_case header-data "$here/patches/header-data.patch" 2; then
	expect_units header-data "drivers/usb/gadget/legacy/inode.o (gadgetfs): no-change
init/version.o (vmlinux): unpatchable
kernel/utsname.o (vmlinux): no-change
kernel/utsname_sysctl.o (vmlinux): no-change"
	grep -q "^refused: init/version.o: .*'init_uts_ns': changed data" "$work/header-data.out" ||
		fail "header-data: no refusal of init_uts_ns"
fi

# The user's tree is untouched; the farm's patched headers are links again.
after=$(cd "$KSPLICE_SRC" && sha256sum $headers)
[ "$before" = "$after" ] || fail "the source tree's headers changed"
newer=$(find "$KSPLICE_SRC" -newer "$stamp" | head -5)
[ -z "$newer" ] || fail "files of the source tree were written: $newer"
for h in $headers; do
	[ -L "$cache/farm/$h" ] || fail "the farm's $h is not a link to the source"
done
cmp -s "$cache/farm/include/generated/asm-offsets.h" \
	"$KSPLICE_HEADERS/include/generated/asm-offsets.h" ||
	fail "the farm's asm-offsets.h is not the target's (left from header-layout?)"
[ ! -e "$cache/farm/.ksplice-patched" ] || fail "the farm is still marked as patched"

# Configured modules vs the image's.
"$check" modules "$KSPLICE_SRC" "$KSPLICE_KCONFIG" "$KSPLICE_MODDIR/modules.order" ||
	fail "configured modules differ from modules.order"

# The include graph against the compiler, on a sample of objects from
# every kind of place (a .S, a module, a directory with its own -I, a .c
# that #includes .c files, one that includes a tools/ header).
sample="fs/proc/array.o kernel/sys.o kernel/sched/build_policy.o
	arch/x86/entry/entry_64.o fs/ext4/inode.o fs/xfs/xfs_super.o
	drivers/gpu/drm/nouveau/nvkm/core/subdev.o net/ipv4/tcp.o lib/vsprintf.o
	kernel/bpf/btf.o security/selinux/hooks.o init/version.o"
release=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$KSPLICE_HEADERS/include/generated/utsrelease.h")
if make -C "$cache/farm" -s -j "$(nproc)" KERNELRELEASE="$release" \
	KCFLAGS="-ffunction-sections -fdata-sections" $sample > "$work/sample.log" 2>&1; then
	"$check" deps "$cache/farm" $sample || fail "the include graph misses files the compiler read"
else
	fail "compiling the sample failed"; tail -20 "$work/sample.log"
fi
exit $failed
