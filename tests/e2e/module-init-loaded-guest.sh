# Guest side of e2e.module-init-loaded: an update that replaces a module's
# __init code is refused while the module is live (its init ran with the
# old code), with the token module_init_ran and nothing changed; with the
# module removed it applies, and the next load runs the new init code.
#   module-init-loaded-guest.sh BIN_DIR PACKAGE CHECK
set -u
bin=/host$1 pkg=/host$2 check=/host$3
fail() { echo "FAIL: module-init-loaded: $*"; exit 1; }
mod=$KSPLICE_MODDIR/kernel/drivers/net/nlmon.ko

insmod "$mod" || fail "cannot load nlmon"
"$bin/ksplice-apply" "$pkg" > apply.out 2>&1 && { cat apply.out; fail "applied with nlmon live"; }
cat apply.out
grep -q 'module_init_ran' apply.out || fail "the refusal does not say module_init_ran"
grep -q "module 'nlmon' is loaded" apply.out || fail "the refusal does not name the module"
! grep -q '^ksplice_module_init ' /proc/modules || fail "the patch module stayed loaded"
"$bin/ksplice-view" | grep -q '^module-init ' && fail "ksplice-view lists the refused update"
rmmod nlmon || fail "cannot remove nlmon"
"$bin/ksplice-apply" "$pkg" || fail "ksplice-apply failed with nlmon removed"
sh "$check" || fail "the new init code did not run at the next load"
# Loaded again and live: its init text is gone, and undo does not touch it.
insmod "$mod" || fail "cannot load nlmon again"
"$bin/ksplice-undo" module-init || fail "ksplice-undo failed with nlmon live"
rmmod nlmon || fail "cannot remove nlmon after undo"
sh "$check" && fail "the check passes after undo"
echo "ok: module-init-loaded: refused while live, applied when not, undone with the module live"
