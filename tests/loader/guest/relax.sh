# Code whose branches the assembler sized by layout (kstest_relax.c): the
# running kstest_relax.o has its tail calls to relax_target() as 2-byte
# jumps, the update's pre object (one section per function) as 5-byte
# ones with relocations, so the running functions are shorter and a
# branch over the tail call moved.  Run-pre matching compares them
# instruction by instruction and the update applies.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
expect /proc/kstest/relax "1 7 14 601"
load relax.ko
echo check > $S/relax/stage || fail "check: $(cat $S/relax/abort_cause)"
grep -q '^kstest_relax.o kstest pre=[0-9]* matched=[0-9]* mismatch=0 ' $S/relax/match ||
	fail "match: $(cat $S/relax/match)"
apply relax
expect /proc/kstest/relax "2 7 14 601"
undo relax
expect /proc/kstest/relax "1 7 14 601"
ok "relax: $(head -n 1 $S/relax/match)"
