# A module target whose unit has hooks (the hooks update, kstest_hooks.o):
# hooks run only at apply and undo, so the module must be loaded at apply
# (target_not_loaded otherwise) and stays pinned while the update is
# applied; after the undo it can be unloaded.
. "$(dirname "$0")/lib.sh"
load_core
load hooks.ko
d=$S/hooks
refused hooks apply target_not_loaded loaded
grep -q "module 'kstest': a unit with hooks patches it" $d/detail ||
	fail "detail: $(cat $d/detail)"
expect $d/targets "kstest unpatched"
load_kstest
expect /proc/kstest/timeout "3000 3"
apply hooks
expect /proc/kstest/timeout "3000 3000"
expect $d/targets "kstest loaded-patched"
rmmod kstest 2>/dev/null && fail "kstest unloaded while its hooks' update is applied"
expect $d/targets "kstest loaded-patched"
undo hooks
expect /proc/kstest/timeout "3000 3"
rmmod kstest || fail "rmmod kstest after the undo"
rmmod hooks || fail "rmmod hooks"
ok module-hooks
