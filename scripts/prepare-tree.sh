#!/usr/bin/env bash
# Prepare a kernel tree from the cached Debian source and the image's own
# config, the way a user would: copy, olddefconfig, prepare,
# modules_prepare.  Objects compiled in it match the Debian kernel's code
# (tests/vm/identity checks that).
#
#   scripts/prepare-tree.sh [-j N]      prints the tree's path
#
# Debian's config names signing and trusted-key files that are not shipped;
# they are cleared (module signing is not enforced by the Debian kernel).
# Idempotent: a stamp records the config and release it was prepared with.
# Build objects in it with scripts/kmake.sh (it passes Debian's release).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jobs=$(nproc)
while [ $# -gt 0 ]; do
	case $1 in
	-j) jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	*) echo "usage: $0 [-j N]" >&2; exit 1 ;;
	esac
done

. "$here/kernel-env.sh"
tree=$KSPLICE_TREE
stamp=$tree/.ksplice-prepared
want=$( { cat "$KSPLICE_KCONFIG"; echo "$KSPLICE_KREL"; } | sha256sum | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	echo "$tree"
	exit 0
fi

start=$(date +%s.%N)
# Prepared in place (kbuild records absolute paths); the stamp, written
# last, is what marks the tree usable.
rm -rf "$tree"
cp -a "$KSPLICE_SRC" "$tree"
cd "$tree"
cp "$KSPLICE_KCONFIG" .config
./scripts/config --set-str SYSTEM_TRUSTED_KEYS "" \
		 --set-str SYSTEM_REVOCATION_KEYS "" \
		 --disable MODULE_SIG_ALL
{
	make -s olddefconfig
	# Debian's release string comes from the command line only: every
	# later make in this tree passes it too (scripts/kmake.sh).
	make -s -j"$jobs" KERNELRELEASE="$KSPLICE_KREL" prepare modules_prepare
} > "$tree.log" 2>&1 || {
	tail -30 "$tree.log" >&2
	echo "prepare-tree: error: kernel prepare failed (log: $tree.log)" >&2
	exit 1
}
rm -f "$tree.log"
echo "$want" > "$stamp"
end=$(date +%s.%N)
printf 'prepare-tree: prepared %s in %.1f s\n' "$tree" "$(echo "$end - $start" | bc)" >&2
echo "$tree"
