#!/usr/bin/env bash
# Objects compiled in the prepared tree are the Debian kernel's own code:
# compile a few, read the kernel's symbol addresses in the VM (nokaslr),
# compare against the image extracted from vmlinuz.
#   identity.sh IDENTITY_TOOL WORKDIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tool=$1 work=$2
. "$root/scripts/kernel-env.sh"
mkdir -p "$work"
objs=(fs/proc/cmdline.o fs/proc/meminfo.o fs/proc/version.o kernel/sys.o mm/filemap.o)
"$root/scripts/kmake.sh" -s "${objs[@]}"
# The release string objects embed (UTS_RELEASE) is Debian's.
cmp "$KSPLICE_TREE/include/generated/utsrelease.h" "$KSPLICE_HEADERS/include/generated/utsrelease.h"
"$KSPLICE_TREE/scripts/extract-vmlinux" "$KSPLICE_VMLINUZ" > "$work/vmlinux"
echo 'cat /proc/kallsyms > "$KSPLICE_OUT/kallsyms"' > "$work/kallsyms.sh"
"$root/scripts/vm-run.sh" --nokaslr --out "$work/vm" "$work/kallsyms.sh"
"$tool" "$work/vmlinux" "$work/vm/kallsyms" "${objs[@]/#/$KSPLICE_TREE/}" > "$work/identity.log"
tail -1 "$work/identity.log"
