#!/usr/bin/env bash
# make in the prepared kernel tree, as Debian builds it: with Debian's
# release string (6.1.0-N-amd64, which kbuild takes only from the command
# line; without it UTS_RELEASE would become the upstream 6.1.x and objects
# that embed it would differ from the running kernel's).
#   scripts/kmake.sh [MAKE ARGS...]      e.g. scripts/kmake.sh fs/proc/cmdline.o
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/kernel-env.sh"
exec make -C "$KSPLICE_TREE" KERNELRELEASE="$KSPLICE_KREL" "$@"
