# New code that calls another module's export: the update of kstest_b.c
# makes kstest_xmod() return crc7_be() of "123456789" (module crc7, which
# kstest does not use).  Without crc7 loaded the apply is refused and
# nothing changes; with it, applied; crc7 cannot be unloaded while the
# update holds the new code (applied, or undone but not unloaded: as a
# module that uses another's export); once the patch module is gone, it can.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
crc7=$KSPLICE_MODDIR/kernel/lib/crc7.ko
! grep -q '^crc7 ' /proc/modules || fail "crc7 is loaded already"
expect /proc/kstest/xmod 0
load xmod.ko
echo apply > $S/xmod/stage 2>/dev/null && fail "applied with crc7 not loaded"
expect $S/xmod/abort_cause failed_to_find
grep -q "symbol 'crc7_be': not found .*load that module first" $S/xmod/detail ||
	fail "detail: $(cat $S/xmod/detail)"
expect /proc/kstest/xmod 0
insmod "$crc7" || fail "insmod crc7"
apply xmod
expect /proc/kstest/xmod 234
rmmod crc7 2>/dev/null && fail "crc7 was unloaded under the applied update"
undo xmod
expect /proc/kstest/xmod 0
rmmod crc7 2>/dev/null && fail "crc7 was unloaded under the loaded patch module"
rmmod xmod || fail "rmmod xmod"
rmmod crc7 || fail "crc7 cannot be unloaded once the update is gone"
ok xmod
