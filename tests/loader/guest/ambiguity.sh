# Two static functions named dup (kstest_a.c, kstest_b.c): the update of
# kstest_b.c's replaces its dup, not the other.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
grep -c ' dup	\[kstest\]' /proc/kallsyms | grep -qx 2 ||
	fail "expected two 'dup' symbols in kstest"
load dupb.ko
expect /proc/kstest/dup "10 20"
apply dupb
expect /proc/kstest/dup "10 21"
undo dupb
expect /proc/kstest/dup "10 20"
ok ambiguity
