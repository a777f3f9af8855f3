# A module loaded after the update was applied is patched before its init
# runs; unloaded while applied, it goes (no pin) and is patched again when
# it comes back, at another address, with stacked updates in the order
# they were applied; undone while it is away, it comes back unpatched.
. "$(dirname "$0")/lib.sh"
load_core
load value2.ko
d=$S/value2
expect $d/targets "kstest unpatched"
# kstest is not loaded: the update applies, its target waits.
apply value2
expect $d/targets "kstest waiting"
clearlog
load_kstest
# kstest's init called kstest_value: the new code, before anything else.
expect /proc/kstest/init_value 2
expect /proc/kstest/value 2
expect $d/targets "kstest loaded-patched"
dmesg | grep -q "'value2': patched module 'kstest' as it loads: 1 function" ||
	fail "no 'patched module' line in the kernel log"
orig_jump=$(cat /proc/kstest/text)
case $orig_jump in ??????????e9*) ;; *) fail "no jump at kstest_value+5: $orig_jump" ;; esac
a1=$(kaddr kstest_value)

# Unloaded while applied: no pin; the update stays applied.
rmmod kstest || fail "rmmod kstest while value2 is applied"
expect $d/targets "kstest waiting"
expect $d/stage applied
# Something else takes module space, so kstest comes back elsewhere.
load value3.ko
load_kstest
a2=$(kaddr kstest_value)
echo "kstest_value at $a1, then at $a2"
[ "$a1" != "$a2" ] || echo "note: kstest came back at the same address"
expect /proc/kstest/init_value 2
expect /proc/kstest/value 2
expect $d/targets "kstest loaded-patched"

# value3 is built on value2's code; reloaded, kstest gets value2's jump,
# then value3's, in the order they were applied.
apply value3
expect /proc/kstest/value 3
expect $S/value3/targets "kstest loaded-patched"
rmmod kstest || fail "rmmod kstest while value2 and value3 are applied"
expect $S/value3/targets "kstest waiting"
load_kstest
expect /proc/kstest/init_value 3
expect /proc/kstest/value 3
expect $d/targets "kstest loaded-patched"
expect $S/value3/targets "kstest loaded-patched"
rmmod value3 2>/dev/null && fail "patch module unloaded while applied"

# Undone while kstest is away: nothing to write; it comes back unpatched.
rmmod kstest || fail "rmmod kstest"
undo value3
undo value2
expect $d/targets "kstest unpatched"
load_kstest
expect /proc/kstest/init_value 1
expect /proc/kstest/value 1
case $(cat /proc/kstest/text) in ??????????e9*) fail "a jump is left in kstest_value" ;; esac
rmmod value3 || fail "rmmod value3"
rmmod value2 || fail "rmmod value2"
# Not applied: a load of kstest is left alone.
rmmod kstest || fail "rmmod kstest"
load_kstest
expect /proc/kstest/init_value 1
ok module-later
