# One update with three targets: vmlinux (/proc/cmdline), kstest and the
# Debian module binfmt_misc.  Applied with neither module loaded, the
# modules load patched in either order, each on its own; unloaded, both
# wait; undone with one loaded and one not, everything is as before.
. "$(dirname "$0")/lib.sh"
binfmt_unload
load_core
load vm2mod.ko
d=$S/vm2mod
orig=$(cat /proc/cmdline)
apply vm2mod
expect /proc/cmdline "$orig ksplice=1"
expect $d/targets "vmlinux loaded-patched
kstest waiting
binfmt_misc waiting"
# kstest first, then binfmt_misc.
load_kstest
expect /proc/kstest/init_value 2
expect $d/targets "vmlinux loaded-patched
kstest loaded-patched
binfmt_misc waiting"
[ "$(binfmt_status)" = "enabled (ksplice)" ] || fail "binfmt_misc second: $(binfmt_status)"
expect $d/targets "vmlinux loaded-patched
kstest loaded-patched
binfmt_misc loaded-patched"
# Both go; binfmt_misc first, then kstest.
rmmod kstest || fail "rmmod kstest"
binfmt_unload
expect $d/targets "vmlinux loaded-patched
kstest waiting
binfmt_misc waiting"
expect /proc/cmdline "$orig ksplice=1"
[ "$(binfmt_status)" = "enabled (ksplice)" ] || fail "binfmt_misc first: $(binfmt_status)"
load_kstest
expect /proc/kstest/init_value 2
expect /proc/kstest/value 2
# Undo with kstest loaded and binfmt_misc not.
binfmt_unload
undo vm2mod
expect /proc/cmdline "$orig"
expect /proc/kstest/value 1
[ "$(binfmt_status)" = enabled ] || fail "binfmt_misc after the undo: $(binfmt_status)"
expect $d/targets "vmlinux unpatched
kstest unpatched
binfmt_misc unpatched"
binfmt_unload
rmmod kstest || fail "rmmod kstest"
rmmod vm2mod || fail "rmmod vm2mod"
ok module-two
