#!/usr/bin/env bash
# ksplice-create compiles every object of the configured build exactly
# once, in the directory whose Makefile builds it (label "kernel").
#
# kbuild's own single-target build (make arch/x86/pci/fixup.o) also
# enters every other directory whose path is a prefix of the object's
# (arch/x86/, which the top Kbuild reaches besides arch/x86/pci/), whose
# pattern rule compiles the object a second time, at the same time:
# "fixdep: error opening file: arch/x86/pci/.fixup.o.d" (create/
# kbuild_descent.h).
#   * create_check lists the objects kbuild's single-target build
#     compiles twice: fixup.o among them (the hazard is real);
#   * a comment added to one source in each such directory (built-in and
#     modules), compiled before and after at -j2: exit 3 (no change);
#   * so does an object whose directory inherits subdir-ccflags-y from its
#     parent (brcm80211/ adds -I.../include for brcmfmac/);
#   * the farm's configuration is the target's (kconfig.h: the compiler
#     named by CONFIG_CC_VERSION_TEXT, pahole for the BTF options).
#   object-builds.sh KSPLICE_CREATE CREATE_CHECK WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
create=$1 check=$2 work=$3
. "$root/scripts/kernel-env.sh" || exit 1
rm -rf "$work/a" "$work/b"
mkdir -p "$work"
cache=$work/cache
failed=0
fail() { echo "FAIL: $*"; failed=1; }

sources="arch/x86/pci/fixup.c arch/x86/lib/misc.c arch/x86/power/cpu.c
	arch/x86/video/fbdev.c arch/x86/platform/pvh/enlighten.c
	drivers/char/ipmi/ipmi_msghandler.c drivers/input/serio/serio.c
	drivers/block/aoe/aoemain.c drivers/input/gameport/gameport.c
	drivers/net/wireless/broadcom/brcm80211/brcmfmac/core.c"
for f in $sources; do
	mkdir -p "$work/a/${f%/*}" "$work/b/${f%/*}"
	cp "$KSPLICE_SRC/$f" "$work/a/$f"
	sed '$a /* ksplice object-builds test */' "$KSPLICE_SRC/$f" > "$work/b/$f"
done
(cd "$work" && diff -ru a b) > "$work/comments.patch"

"$create" --id object-builds --config "$KSPLICE_KCONFIG" --headers "$KSPLICE_HEADERS" \
	--cache "$cache" -j 2 -o "$work/object-builds.tar.gz" --patch "$work/comments.patch" "$KSPLICE_SRC" \
	> "$work/create.out" 2> "$work/create.err"
rc=$?
if [ "$rc" != 3 ]; then
	fail "ksplice-create exited $rc, expected 3 (no change)"
	sed 's/^/    /' "$work/create.err" "$work/create.out"
fi
units=$(grep -c ': no-change$' "$work/create.out")
[ "$units" = 10 ] || fail "$units units compared, expected 10"

"$check" config "$cache/farm" "$KSPLICE_KCONFIG" > "$work/config.txt" ||
	{ fail "the farm's configuration is not the target's"; cat "$work/config.txt"; }

# Which objects kbuild's single-target build compiles twice.
"$check" descent "$cache/farm" > "$work/twice.txt" || fail "create_check descent failed"
grep -q '^make arch/x86/pci/fixup.o compiles it in: arch/x86 arch/x86/pci ' "$work/twice.txt" ||
	fail "fixup.o is not among the objects make compiles twice"
for f in $sources; do
	case $f in *brcmfmac*) continue ;; esac
	grep -q "^make ${f%.c}.o compiles" "$work/twice.txt" ||
		fail "${f%.c}.o: not an object that make compiles twice"
done
tail -1 "$work/twice.txt"
[ "$failed" = 0 ] && echo "ok: $units objects compiled once each, before and after the patch"
exit $failed
