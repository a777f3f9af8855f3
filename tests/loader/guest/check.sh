# The check stage: "check" does run-pre matching and the stop_machine pass
# with the stack check but writes nothing, leaves the stage and references
# as they were, and reports like a failed apply; a later apply still works.
. "$(dirname "$0")/lib.sh"

# check ID STAGE: the check passes and the stage stays STAGE.
check() {
	echo check > "$S/$1/stage" ||
		fail "check $1: $(cat "$S/$1/abort_cause")"
	expect "$S/$1/stage" "$2"
	expect "$S/$1/abort_cause" none
}
refcnt() { cat "/sys/module/$1/refcnt"; }

load_core
load_kstest
load value2.ko
d=$S/value2
orig=$(cat /proc/kstest/text)
kref=$(refcnt kstest)

# A matching update: passes, the kernel and the module references unchanged.
check value2 loaded
expect /proc/kstest/value 1
expect /proc/kstest/text "$orig"
[ -z "$(cat $d/conflicts)" ] || fail "conflicts after a check: $(cat $d/conflicts)"
pause=$(cat $d/pause_ns)
[ "$pause" -gt 0 ] || fail "pause_ns is '$pause' after a check"
dmesg | grep -q "'value2': check passed: 1 function can be replaced, machine stopped $pause ns" ||
	fail "no check message with the pause"
echo "pause_ns(check, 1 function): $pause"
expect /sys/module/value2/refcnt 0
[ "$(refcnt kstest)" = "$kref" ] || fail "kstest refcnt $(refcnt kstest), was $kref"
check value2 loaded
# Nothing is pinned: the target can go and come back (at another address);
# apply then finds everything afresh.
rmmod kstest || fail "rmmod kstest after a check"
load_kstest
expect /proc/kstest/value 1
orig=$(cat /proc/kstest/text)
check value2 loaded
apply value2
expect /proc/kstest/value 2

# An applied update: check is refused, nothing changes.
applied_text=$(cat /proc/kstest/text)
refused value2 check bad_state applied
dmesg | grep -q "'value2': bad_state: check: the update is already applied" ||
	fail "no bad_state message for the check"
expect /proc/kstest/value 2
expect /proc/kstest/text "$applied_text"
rmmod value2 2>/dev/null && fail "patch module unloaded while applied"
undo value2
expect /proc/kstest/text "$orig"
# A reversed update can be checked and applied again.
check value2 reversed
expect /proc/kstest/value 1
apply value2
expect /proc/kstest/value 2
undo value2
rmmod value2 || fail "rmmod value2"
ok "check: matching update"

# A mismatching update: no_match, as for apply.
load mismatch.ko
refused mismatch check no_match loaded
dmesg | grep -q "'mismatch': no_match: unit 'kstest_main.o' function 'kstest_value' offset 0x" ||
	fail "no no_match message for the check"
expect /proc/kstest/text "$orig"
expect /proc/kstest/value 1
rmmod mismatch || fail "rmmod mismatch"
ok "check: mismatch"

# An unarmed kprobe on the jump bytes is caught inside stop_machine.
T=/sys/kernel/tracing
load value2.ko
echo 'p:kstest_probe kstest:kstest_value+5' > $T/kprobe_events ||
	fail "cannot add the kprobe"
refused value2 check kprobe_conflict loaded
dmesg | grep -q "'value2': kprobe_conflict: a kprobe sits on a jump site (check)" ||
	fail "no kprobe_conflict message from the check's stop_machine pass"
echo '-:kstest_probe' >> $T/kprobe_events
check value2 loaded
expect /proc/kstest/text "$orig"
rmmod value2 || fail "rmmod value2"
ok "check: kprobe"

# A thread sleeping in the replaced function: code_busy naming it, after
# the set number of tries; once it has left, check and apply pass.
load sleeper.ko
d=$S/sleeper
echo 1 > /proc/kstest/sleeper
sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_sleeper" { print $1 }')
[ -n "$pid" ] || fail "no kstest_sleeper thread"
echo 2 > $d/retries
refused sleeper check code_busy loaded
grep -qx "$pid kstest_sleeper kstest_sleeper" $d/conflicts ||
	fail "conflicts: $(cat $d/conflicts)"
dmesg | grep -q "'sleeper': code_busy: check failed after 2 tries" ||
	fail "no code_busy message for the check"
echo 0 > /proc/kstest/sleeper
sleep 1
expect /proc/kstest/sleeper 7
check sleeper loaded
[ -z "$(cat $d/conflicts)" ] || fail "conflicts left: $(cat $d/conflicts)"
apply sleeper
ok "check: busy"

# A check written while an undo is retrying waits for it (one mutex), and
# is refused because the undo failed and the update is still applied.
echo 1 > /proc/kstest/sleeper
sleep 1
echo 3 > $d/retries
rm -f /tmp/undo-rc
(echo undo > $d/stage 2>/dev/null; echo $? > /tmp/undo-rc) &
sleep 1
refused sleeper check bad_state applied
wait
[ "$(cat /tmp/undo-rc)" != 0 ] || fail "undo succeeded with a thread in the new code"
# The check ran after the undo had given up, not before it started.
busy=$(dmesg | grep -n "'sleeper': code_busy: undo failed after 3 tries" | cut -d: -f1)
bad=$(dmesg | grep -n "'sleeper': bad_state: check: the update is already applied" | cut -d: -f1)
[ -n "$busy" ] && [ -n "$bad" ] || fail "no code_busy (undo) or bad_state (check) message"
[ "$busy" -lt "$bad" ] || fail "the check did not wait for the undo"
echo 0 > /proc/kstest/sleeper
sleep 1
expect /proc/kstest/sleeper 8
undo sleeper
rmmod sleeper || fail "rmmod sleeper"
ok "check: during undo"
ok check
