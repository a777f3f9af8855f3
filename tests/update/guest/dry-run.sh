# Guest side of update.vm_dry_run (busybox sh, as root, in the VM):
# ksplice-apply --dry-run checks and changes nothing.
#   dry-run.sh BIN_DIR PACKAGE_DIR LOADER_OUT   (host paths)
set -u
B=/host$1 P=/host$2 L=/host$3
. "$(dirname "$0")/lib.sh"
# as_before: the kernel is as it was before the dry run: kstest_value's
# code and result, no patch module, no record.
as_before() {
	[ "$(cat /proc/kstest/text)" = "$orig" ] || fail "kstest_value's code changed"
	[ "$(cat /proc/kstest/value)" = "$1" ] || fail "value is not $1"
	for m in value2 value3 sleeper mismatch; do
		loaded $m && [ "$m" != "${2:-}" ] && fail "$m left loaded"
	done
	for r in value3 sleeper mismatch; do
		[ -e /run/ksplice/$r ] && fail "record of $r left"
	done
	:
}

run 1 ksplice-apply --dry-run --raw-errors $P/wrong-release.tar.gz
first $err other
has $err "is for kernel '0.0.0-not-this-kernel', but this host runs '$(uname -r)'"
[ -d /sys/kernel/ksplice ] && fail "core loaded for a package of another kernel"

# The target is not loaded: the update would apply (and wait for it); core
# and patch module are unloaded again.
run 0 ksplice-apply --dry-run $P/value2.tar.gz
has $out "^update 'value2' would apply now; nothing was changed$"
loaded value2 && fail "value2 left loaded after a dry run"
loaded ksplice && fail "core left loaded after a dry run that loaded it"

insmod $L/kstest/kstest.ko || fail "insmod kstest"
orig=$(cat /proc/kstest/text)

# A matching update: exit 0, what would be patched and the pause; then the
# kernel is as before (no core either: the dry run loaded it).
run 0 ksplice-apply --dry-run $P/value2.tar.gz
has $out "^dry run of update 'value2': tools test value2$"
has $out "^  would replace 'kstest_value' in kstest$"
has $out "^  the check paused the kernel for [0-9]"
has $out "^update 'value2' would apply now; nothing was changed$"
[ -s $err ] && fail "stderr not empty"
echo "dry run: $(grep paused $out)"
as_before 1
loaded ksplice && fail "core left loaded after a dry run that loaded it"
[ -e /run/ksplice/value2 ] && fail "record of value2 after a dry run"
dmesg | grep -q "'value2': check passed: 1 function can be replaced" ||
	fail "no check message in the kernel log"
dmesg | grep -q "'value2': applied" && fail "the dry run applied value2"
run 0 ksplice-view
[ "$(cat $out)" = "no updates are loaded" ] || fail "updates remain after the dry run"

# A real apply afterwards works.
run 0 ksplice-apply $P/value2.tar.gz
has $out "applied update 'value2'"
[ "$(cat /proc/kstest/value)" = 2 ] || fail "value is not 2 after apply"
run 0 ksplice-apply --dry-run $P/value2.tar.gz
has $out "update 'value2' is already applied; nothing to check"
# A dry run of an update built on it: passes, changes nothing, and leaves
# no dependency behind (value2 can still be undone).
run 0 ksplice-apply --dry-run $P/value3.tar.gz
has $out "would replace 'kstest_value' in kstest"
[ "$(cat /proc/kstest/value)" = 2 ] || fail "value changed by the dry run of value3"
loaded value3 && fail "value3 left loaded"
loaded ksplice || fail "core unloaded although it was not the dry run's"
run 0 ksplice-undo value2
[ "$(cat /proc/kstest/value)" = 1 ] || fail "value is not 1 after undo"
as_before 1

# A mismatching update: no_match with its sentence; nothing changed.
run 1 ksplice-apply --dry-run --raw-errors $P/mismatch.tar.gz
first $err no_match
has $err "ksplice-apply: error: no_match: The running kernel's code does not match the code this update was built from"
has $err "Rebuild the update from the exact source"
as_before 1

# A thread in the replaced function: code_busy naming it, with --retries.
echo 1 > /proc/kstest/sleeper; sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_sleeper" { print $1 }')
[ -n "$pid" ] || fail "no kstest_sleeper thread"
t0=$(date +%s)
run 1 ksplice-apply --dry-run --raw-errors --retries 3 $P/sleeper.tar.gz
t1=$(date +%s)
first $err code_busy
has $err "ksplice-apply: error: code_busy: A function the update replaces was in use"
has $err "ksplice-apply: note: task 'kstest_sleeper' (pid $pid) is running 'kstest_sleeper'"
dmesg | grep -q "'sleeper': code_busy: check failed after 3 tries" ||
	fail "the dry run did not try 3 times"
[ $((t1 - t0)) -ge 2 ] || fail "3 tries took less than 2 s"
as_before 1
echo 0 > /proc/kstest/sleeper; sleep 1
[ "$(cat /proc/kstest/sleeper)" = 7 ] || fail "sleeper result is not 7"
run 0 ksplice-apply --dry-run $P/sleeper.tar.gz
has $out "would replace 'kstest_sleeper' in kstest"
as_before 1

# An update loaded by hand: checked where it is, and left loaded.
insmod $L/value2.ko || fail "insmod value2"
run 0 ksplice-apply --dry-run --retries 7 $P/value2.tar.gz
has $out "update 'value2' would apply now"
loaded value2 || fail "the dry run unloaded a module it had not loaded"
[ "$(cat /sys/kernel/ksplice/value2/stage)" = loaded ] || fail "stage changed"
[ "$(cat /sys/kernel/ksplice/value2/retries)" = 5 ] || fail "retries not restored"
as_before 1 value2
rmmod value2 || fail "rmmod value2"
echo "ok: ksplice-apply --dry-run on the real kernel"
