# A real module of the Debian kernel, binfmt_misc (its filesystem's status
# file): the update applies while the module is not loaded, the module
# loads patched, is unloaded and loaded again patched, and after an undo
# while it is unloaded it loads unpatched.
. "$(dirname "$0")/lib.sh"
binfmt_unload
load_core
load binfmt.ko
d=$S/binfmt
[ "$(binfmt_status)" = enabled ] || fail "status before the update: $(binfmt_status)"
binfmt_unload
apply binfmt
expect $d/targets "binfmt_misc waiting"
[ "$(binfmt_status)" = "enabled (ksplice)" ] || fail "loaded after the apply: $(binfmt_status)"
expect $d/targets "binfmt_misc loaded-patched"
binfmt_unload
expect $d/targets "binfmt_misc waiting"
[ "$(binfmt_status)" = "enabled (ksplice)" ] || fail "loaded again: $(binfmt_status)"
binfmt_unload
undo binfmt
[ "$(binfmt_status)" = enabled ] || fail "loaded after the undo: $(binfmt_status)"
# Loaded at apply time: patched in the pass; undone while loaded.
apply binfmt
expect $d/targets "binfmt_misc loaded-patched"
[ "$(binfmt_status)" = "enabled (ksplice)" ] || fail "applied while loaded: $(binfmt_status)"
undo binfmt
[ "$(binfmt_status)" = enabled ] || fail "undone while loaded: $(binfmt_status)"
binfmt_unload
rmmod binfmt || fail "rmmod binfmt"
ok module-debian
