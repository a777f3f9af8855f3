# Two static functions named dup (kstest_a.c, kstest_b.c), same bytes: the
# update of kstest_b.c finds its dup through kstest_b() and patches it only.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
grep -c ' dup	\[kstest\]' /proc/kallsyms | grep -qx 2 ||
	fail "expected two 'dup' symbols in kstest"
grep -c ' dup_val	\[kstest\]' /proc/kallsyms | grep -qx 2 ||
	fail "expected two 'dup_val' symbols in kstest"
load dupb.ko
expect /proc/kstest/dup "10 20"
apply dupb
expect /proc/kstest/dup "10 21"
undo dupb
expect /proc/kstest/dup "10 20"
ok ambiguity
