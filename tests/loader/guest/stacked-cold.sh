# cold3 is built on cold; both change kstest_cold() and its .cold part.
# With cold applied, the live kstest_cold.cold is cold's copy, in its patch
# module: cold3's pre code of the part matches there (found through the
# jump from cold's kstest_cold, not among the kallsyms candidates), and a
# thread sleeping in a call made from it makes cold3's apply code_busy.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load cold.ko
load cold3.ko
apply cold
echo 1 > /proc/kstest/cold
sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_cold" { print $1 }')
[ -n "$pid" ] || fail "no kstest_cold thread"
echo 2 > $S/cold3/retries
refused cold3 apply code_busy loaded
grep -qx "$pid kstest_cold kstest_cold" $S/cold3/conflicts ||
	fail "conflicts: $(cat $S/cold3/conflicts)"
echo 0 > /proc/kstest/cold
sleep 1
expect /proc/kstest/cold 102
apply cold3
echo 1 > /proc/kstest/cold
echo 0 > /proc/kstest/cold
sleep 1
expect /proc/kstest/cold 103
refused cold undo dependent_update applied
undo cold3
undo cold
echo 1 > /proc/kstest/cold
echo 0 > /proc/kstest/cold
sleep 1
expect /proc/kstest/cold 101
rmmod cold3 || fail "rmmod cold3"
rmmod cold || fail "rmmod cold"
ok stacked-cold
