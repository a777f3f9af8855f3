# /sys/kernel/ksplice/<id>/match: per-unit run-pre matching statistics of
# the last apply or check, then one line per section that did not settle.
. "$(dirname "$0")/lib.sh"

# field ID UNIT NAME: the value of NAME=... on UNIT's line of ID's match.
field() {
	awk -v u="$2" -v f="$3" '$1 == u && $3 ~ /^pre=/ {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] }
	}' "$S/$1/match"
}
# settled ID UNIT: every pre section of UNIT is counted once.
counted() {
	_sum=0
	for _f in matched mismatch ambiguous absent weak skipped; do
		_sum=$((_sum + $(field "$1" "$2" $_f)))
	done
	[ "$_sum" -eq "$(field "$1" "$2" pre)" ] ||
		fail "$1: counts of $2 do not add up: $(cat "$S/$1/match")"
}

load_core
load_kstest
load value2.ko
load mismatch.ko
load combo-bad.ko
expect $S/value2/match ""

# A passing check: every section of the unit matched or was skipped by
# design (merged strings); nothing is left unsettled.
echo check > $S/value2/stage || fail "check value2"
cat $S/value2/match
[ "$(wc -l < $S/value2/match)" -eq 1 ] || fail "value2: $(cat $S/value2/match)"
grep -q "^kstest_main.o kstest pre=[0-9]* matched=[0-9]* mismatch=0 ambiguous=0 absent=0 weak=0 skipped=[0-9]*$" $S/value2/match ||
	fail "value2: $(cat $S/value2/match)"
counted value2 kstest_main.o
[ "$(field value2 kstest_main.o matched)" -gt 0 ] || fail "value2: nothing matched"
matched=$(field value2 kstest_main.o matched)
# Undo does not match: the statistics of the apply stay.
apply value2
undo value2
[ "$(field value2 kstest_main.o matched)" = "$matched" ] ||
	fail "value2 after undo: $(cat $S/value2/match)"
ok "match: passing check"

# A failing check: the mismatching section is counted and listed.
refused mismatch check no_match loaded
cat $S/mismatch/match
[ "$(field mismatch kstest_main.o mismatch)" = 1 ] || fail "mismatch: $(cat $S/mismatch/match)"
[ "$(field mismatch kstest_main.o matched)" = $((matched - 1)) ] ||
	fail "mismatch: $(cat $S/mismatch/match)"
counted mismatch kstest_main.o
grep -qx "kstest_main.o .text.kstest_value mismatch 1" $S/mismatch/match ||
	fail "mismatch: no section line: $(cat $S/mismatch/match)"
[ "$(wc -l < $S/mismatch/match)" -eq 2 ] || fail "mismatch: $(cat $S/mismatch/match)"
ok "match: failing check"

# Two units, the second mismatching in its static dup() (two candidates):
# a line per unit, then the section.
refused combo-bad check no_match loaded
cat $S/combo-bad/match
counted combo-bad kstest_main.o
counted combo-bad kstest_b.o
[ "$(field combo-bad kstest_main.o mismatch)" = 0 ] || fail "combo-bad: $(cat $S/combo-bad/match)"
[ "$(field combo-bad kstest_b.o mismatch)" = 1 ] || fail "combo-bad: $(cat $S/combo-bad/match)"
[ "$(sed -n 3p $S/combo-bad/match)" = "kstest_b.o .text.dup mismatch 2" ] ||
	fail "combo-bad: $(cat $S/combo-bad/match)"
ok "match: two units"

# An overridden __weak function of vmlinux is counted and listed as such.
load kp-meminfo-string.ko
echo check > $S/kp-meminfo-string/stage || fail "check kp-meminfo-string"
cat $S/kp-meminfo-string/match
counted kp-meminfo-string fs/proc/meminfo.o
[ "$(field kp-meminfo-string fs/proc/meminfo.o weak)" = 1 ] ||
	fail "kp-meminfo-string: $(cat $S/kp-meminfo-string/match)"
grep -qx "fs/proc/meminfo.o .text.arch_report_meminfo weak 1" $S/kp-meminfo-string/match ||
	fail "kp-meminfo-string: $(cat $S/kp-meminfo-string/match)"
ok match
