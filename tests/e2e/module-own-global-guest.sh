# Guest side of e2e.module-own-global: new code of a module refers to a
# global that only the module itself defines, `__this_module` (every module
# has one: module-init-sibling's teql_init logs THIS_MODULE->name, which no
# pre code of the unit reads, so run-pre matching does not learn it).  With
# another module loaded the name is in kallsyms twice; the core must take
# the target module's own, as the module's link did, not refuse the load
# as ambiguous (tlclk.c's tlclk_fops.owner in 6.1.187 was refused so).
#   module-own-global-guest.sh BIN_DIR PACKAGE CHECK ID
set -u
bin=/host$1 pkg=/host$2 check=/host$3 id=$4
fail() { echo "FAIL: module-own-global: $*"; exit 1; }
insmod "$KSPLICE_MODDIR/kernel/drivers/net/nlmon.ko" || fail "cannot load nlmon"
n=$(grep -c ' __this_module\b' /proc/kallsyms)
echo "__this_module in kallsyms: $n entries"
[ "$n" -ge 2 ] || fail "expected __this_module twice in kallsyms, found $n"
"$bin/ksplice-apply" "$pkg" || fail "ksplice-apply failed"
sh "$check" || { dmesg | grep ksplice | tail -5; fail "the module did not load patched"; }
"$bin/ksplice-undo" "$id" || fail "ksplice-undo failed"
sh "$check" && fail "the check passes after undo"
rmmod nlmon || fail "cannot remove nlmon"
echo "ok: module-own-global: the module's own __this_module, with another module loaded"
