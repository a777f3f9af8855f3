#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: set up, make a hot update
# from a real source patch with ksplice-create, then boot the real Debian
# kernel in a VM: check it (dry run), apply it live, look at it, and take
# it back out.
#
#   scripts/demo.sh            (extra arguments go to scripts/vm-run.sh)
#
# The patch is testdata/kernel-patches/cmdline-string.patch: fs/proc/cmdline.c
# appends " ksplice=1" to /proc/cmdline.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
. "$root/scripts/kernel-env.sh"
bin=$root/build/cli
work=$root/build/demo
patch=$root/testdata/kernel-patches/cmdline-string.patch
mkdir -p "$work"
step() { printf '\n== demo: %s\n' "$*" >&2; }

step "ksplice-create: Debian $KSPLICE_KVER source + $(basename "$patch")"
sed 's/^/    /' "$patch"
"$bin/ksplice-create" --patch "$patch" --id cmdline-fix \
	--description "/proc/cmdline ends with ksplice=1" \
	--config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
	--cache "$work/cache" -o "$work/ksplice-cmdline-fix.tar.gz" "$KSPLICE_SRC"

cat > "$work/guest.sh" <<'GUEST'
set -e
bin=/host$1 pkg=/host$2
say() { printf '\nguest$ %s\n' "$*"; }
echo "guest: $(uname -sr) ($(uname -v | cut -c1-40)...), $(nproc) CPUs"
say cat /proc/cmdline;             cat /proc/cmdline
say ksplice-apply --dry-run "$(basename "$pkg")"; "$bin/ksplice-apply" --dry-run "$pkg"
! grep -q ' ksplice=1$' /proc/cmdline
say ksplice-apply "$(basename "$pkg")"; "$bin/ksplice-apply" "$pkg"
say cat /proc/cmdline;             cat /proc/cmdline
grep -q ' ksplice=1$' /proc/cmdline
say ksplice-view;                  "$bin/ksplice-view"
say ksplice-undo cmdline-fix;      "$bin/ksplice-undo" cmdline-fix
say cat /proc/cmdline;             cat /proc/cmdline
! grep -q ' ksplice=1$' /proc/cmdline
say ksplice-view;                  "$bin/ksplice-view"
printf '\nguest: the kernel log has no warning: '
! dmesg | grep -E 'Call Trace|BUG:|WARNING:' && echo yes
GUEST
step "boot Debian $KSPLICE_KVER ($KSPLICE_KREL) in QEMU, apply live, undo"
"$root/scripts/vm-run.sh" "$@" "$work/guest.sh" "$bin" "$work/ksplice-cmdline-fix.tar.gz"
