#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: set up, then boot the real
# Debian kernel in a VM and show a module built here working in it.
# (Becomes the create-and-apply demo once ksplice-create and ksplice-apply
# land: see the README.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
. "$root/scripts/kernel-env.sh"
work=$root/build/demo
"$root/scripts/build-module.sh" "$root/testdata/smoke" "$work/smoke"
cat > "$work/guest.sh" <<'GUEST'
set -e
echo "guest: $(uname -sr), $(nproc) CPUs, cmdline: $(cat /proc/cmdline)"
echo "guest: loading ksplice_smoke.ko built on the host"
insmod "/host$1" value=7
echo "guest: /proc/ksplice_smoke says: $(cat /proc/ksplice_smoke)"
dmesg | tail -3 | sed 's/^/guest: kernel: /'
rmmod ksplice_smoke
echo "guest: unloaded; /proc/ksplice_smoke gone: $([ -e /proc/ksplice_smoke ] && echo no || echo yes)"
GUEST
printf '\n== demo: Debian %s (%s) in QEMU\n' "$KSPLICE_KVER" "$KSPLICE_KREL" >&2
"$root/scripts/vm-run.sh" "$work/guest.sh" "$work/smoke/ksplice_smoke.ko"
