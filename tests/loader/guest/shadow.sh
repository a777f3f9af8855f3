# A static function of kstest named like one of vmlinux (cmdline_proc_show,
# behind /proc/cmdline): the update of kstest_b.c patches kstest's, which
# /proc/kstest/shadow shows; the kernel's, behind /proc/cmdline, is left
# alone (its bytes and what it prints).
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
grep -q ' cmdline_proc_show	\[kstest\]' /proc/kallsyms || fail "no cmdline_proc_show in kstest"
grep ' cmdline_proc_show$' /proc/kallsyms | grep -q . || fail "no cmdline_proc_show in vmlinux"
cmdline=$(cat /proc/cmdline)
load shadow.ko
expect /proc/kstest/shadow 30
apply shadow
expect /proc/kstest/shadow 31
[ "$(cat /proc/cmdline)" = "$cmdline" ] || fail "/proc/cmdline changed"
grep -q "cmdline_proc_show kstest" $S/shadow/functions ||
	fail "functions: $(cat $S/shadow/functions)"
undo shadow
expect /proc/kstest/shadow 30
[ "$(cat /proc/cmdline)" = "$cmdline" ] || fail "/proc/cmdline changed after undo"
ok shadow
