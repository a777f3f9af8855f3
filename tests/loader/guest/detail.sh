# /sys/kernel/ksplice/<id>/detail: why the last action failed, without the
# kernel log.  A mismatch names unit, function, offset, candidates, the pre
# bytes expected and the live bytes found; every mismatching section is
# listed (the first 8, then how many more); empty after a success, cleared
# by every action.
. "$(dirname "$0")/lib.sh"

# lines ID N: the detail of ID has N lines.
lines() {
	[ "$(wc -l < "$S/$1/detail")" -eq "$2" ] ||
		fail "$1: expected $2 detail lines, got: $(cat "$S/$1/detail")"
}
# has ID TEXT: a line of ID's detail is TEXT.
has() {
	grep -qxF "$2" "$S/$1/detail" ||
		fail "$1: no detail line '$2' in: $(cat "$S/$1/detail")"
}

load_core
load_kstest
load mismatch.ko
load mismatch2.ko
load many-bad.ko
load value2.ko
load missing.ko
load sleeper.ko
expect $S/mismatch/detail ""

# kstest_value returns 5 in the pre code, 1 in the running kstest: the
# first differing byte is the immediate of "mov $imm32, %eax".
v="unit 'kstest_main.o' function 'kstest_value' offset 0x"

for action in check apply; do
	refused mismatch $action no_match loaded
	lines mismatch 1
	grep -q "^no_match: $v[0-9a-f]*: bytes differ (1 candidate): section '.text.kstest_value', expected '05 00 00 00', found '01 00 00 00'$" $S/mismatch/detail ||
		fail "mismatch $action detail: $(cat $S/mismatch/detail)"
done
# The kernel log says the same.
line=$(cat $S/mismatch/detail)
dmesg | grep -qF "'mismatch': $line" || fail "the kernel log lacks '$line'"
ok "detail: a mismatch, expected and found bytes"

# Two functions of one unit differ: both are listed, in one check.
refused mismatch2 check no_match loaded
lines mismatch2 2
grep -q "^no_match: $v[0-9a-f]*: bytes differ (1 candidate): section '.text.kstest_value', expected '02 00 00 00', found '01 00 00 00'$" $S/mismatch2/detail ||
	fail "mismatch2: no kstest_value line: $(cat $S/mismatch2/detail)"
grep -q "^no_match: unit 'kstest_main.o' function 'kstest_sleeper' offset 0x[0-9a-f]*: bytes differ (1 candidate): section '.text.kstest_sleeper', expected '09 00 00 00', found '07 00 00 00'$" $S/mismatch2/detail ||
	fail "mismatch2: no kstest_sleeper line: $(cat $S/mismatch2/detail)"
ok "detail: two mismatching sections of one unit"

# Ten differ: the first eight, then how many more.
refused many-bad check no_match loaded
lines many-bad 9
[ "$(grep -c "^no_match: unit 'kstest_many.o' function 'kstest_f[0-9]' offset 0x" $S/many-bad/detail)" -eq 8 ] ||
	fail "many-bad: $(cat $S/many-bad/detail)"
last=$(tail -n 1 $S/many-bad/detail)
[ "$last" = "... and 2 more" ] || fail "many-bad: last line '$last'"
ok "detail: capped"

# failed_to_find: the symbol, and how many entries kallsyms has.
refused missing check failed_to_find loaded
lines missing 1
has missing "failed_to_find: unit 'kstest_main.o' symbol 'kstest_helper': not found (0 kallsyms entries in 'kstest', 0 outside patch modules); if a module defines it, load that module first"
ok "detail: failed_to_find"

# A success leaves it empty; every action starts afresh.
echo check > $S/value2/stage || fail "check value2"
expect $S/value2/detail ""
refused value2 undo bad_state loaded
has value2 "bad_state: undo: the update is not applied"
apply value2
expect $S/value2/detail ""
refused value2 apply bad_state applied
lines value2 1
has value2 "bad_state: apply: the update is already applied"
undo value2
expect $S/value2/detail ""
ok "detail: empty after success"

# code_busy: the conflicts follow the abort line.
echo 1 > /proc/kstest/sleeper
sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_sleeper" { print $1 }')
[ -n "$pid" ] || fail "no kstest_sleeper thread"
echo 1 > $S/sleeper/retries
refused sleeper apply code_busy loaded
lines sleeper 2
has sleeper "code_busy: apply failed after 1 tries; in use by:"
has sleeper "  $pid kstest_sleeper kstest_sleeper"
echo 0 > /proc/kstest/sleeper
sleep 1
apply sleeper
expect $S/sleeper/detail ""
undo sleeper
ok detail
