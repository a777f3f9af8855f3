# Guest side of e2e.module-data-loaded: an update that changes the initial
# value of a module's data is refused while the module is loaded, for
# apply and for undo (module_data_live, nothing changed); with the module
# removed it applies, the next load gets the new value, and with the
# module removed again it is undone.
#   module-data-loaded-guest.sh BIN_DIR PACKAGE CHECK
set -u
bin=/host$1 pkg=/host$2 check=/host$3
fail() { echo "FAIL: module-data-loaded: $*"; exit 1; }
mod=$KSPLICE_MODDIR/kernel/net/sched/sch_teql.ko

insmod "$mod" || fail "cannot load sch_teql"
"$bin/ksplice-apply" "$pkg" > apply.out 2>&1 && { cat apply.out; fail "applied with sch_teql loaded"; }
cat apply.out
grep -q 'module_data_live' apply.out || fail "the refusal does not say module_data_live"
grep -q "module 'sch_teql' is loaded" apply.out || fail "the refusal does not name the module"
! grep -q '^ksplice_module_data ' /proc/modules || fail "the patch module stayed loaded"
"$bin/ksplice-view" | grep -q '^module-data ' && fail "ksplice-view lists the refused update"
rmmod sch_teql || fail "cannot remove sch_teql"
"$bin/ksplice-apply" "$pkg" || fail "ksplice-apply failed with sch_teql removed"
insmod "$mod" || fail "cannot load sch_teql with the update applied"
[ -e /sys/class/net/teql1 ] || fail "the load did not get the new value (no teql1)"
"$bin/ksplice-undo" module-data > undo.out 2>&1 && { cat undo.out; fail "undone with sch_teql loaded"; }
cat undo.out
grep -q 'module_data_live' undo.out || fail "the undo refusal does not say module_data_live"
grep -q "module 'sch_teql' is loaded" undo.out || fail "the undo refusal does not name the module"
"$bin/ksplice-view" | grep -q '^module-data ' || fail "the refused undo took the update out"
rmmod sch_teql || fail "cannot remove sch_teql"
"$bin/ksplice-undo" module-data || fail "ksplice-undo failed with sch_teql removed"
sh "$check" && fail "the check passes after undo"
echo "ok: module-data-loaded: refused while loaded (apply and undo), written as the module loads"
