# One update with a vmlinux and a module target (vmmod: cmdline_proc_show
# and kstest_value).  Applied without kstest, it patches vmlinux and waits
# for kstest; a kstest of another build (KSTEST_VALUE=5) is refused as it
# loads, with a message and the token in sysfs, and nothing else changes;
# the right kstest then loads patched.  Undo restores both.
. "$(dirname "$0")/lib.sh"
load_core
load vmmod.ko
d=$S/vmmod
orig=$(cat /proc/cmdline)
apply vmmod
expect /proc/cmdline "$orig ksplice=1"
expect $d/targets "vmlinux loaded-patched
kstest waiting"
clearlog
insmod $B/v5/kstest.ko 2>/dev/null && fail "a kstest of another build was loaded"
[ -e /proc/kstest ] && fail "the refused kstest ran its init"
grep -q '^kstest ' /proc/modules && fail "the refused kstest is in /proc/modules"
expect $d/targets "vmlinux loaded-patched
kstest refused no_match"
dmesg | grep -q "'vmmod': no_match: refusing to load module 'kstest': unit 'kstest_main.o'" ||
	fail "no refusal line in the kernel log"
dmesg | grep -q "'vmmod': no_match: unit 'kstest_main.o' function 'kstest_value'" ||
	fail "no no_match line naming the function"
expect $d/stage applied
expect /proc/cmdline "$orig ksplice=1"

# The right build loads, patched before its init.
load_kstest
expect /proc/kstest/init_value 2
expect /proc/kstest/value 2
expect $d/targets "vmlinux loaded-patched
kstest loaded-patched"
undo vmmod
expect /proc/cmdline "$orig"
expect /proc/kstest/value 1
expect $d/targets "vmlinux unpatched
kstest unpatched"
# Not applied: the other build loads.
rmmod kstest || fail "rmmod kstest"
load v5/kstest.ko
expect /proc/kstest/value 5
rmmod kstest
rmmod vmmod || fail "rmmod vmmod"
ok module-refused
