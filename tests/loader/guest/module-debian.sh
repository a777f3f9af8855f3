# A real module of the Debian kernel, binfmt_misc (its filesystem's status
# file): the update applies while the module is not loaded, the module
# loads patched, is unloaded and loaded again patched, and after an undo
# while it is unloaded it loads unpatched.
. "$(dirname "$0")/lib.sh"
M=$KSPLICE_MODDIR/kernel/fs/binfmt_misc.ko
[ -f "$M" ] || fail "no $M"
mnt=/tmp/binfmt_misc
mkdir -p $mnt
# status: load the module, mount its filesystem, print the status file,
# unmount (the module stays loaded).
status() {
	grep -q '^binfmt_misc ' /proc/modules || insmod "$M" || fail "insmod binfmt_misc"
	mount -t binfmt_misc binfmt_misc $mnt || fail "mount binfmt_misc"
	cat $mnt/status
	umount $mnt
}
unload() { rmmod binfmt_misc || fail "rmmod binfmt_misc"; }

grep -q '^binfmt_misc ' /proc/modules && unload
load_core
load binfmt.ko
d=$S/binfmt
[ "$(status)" = enabled ] || fail "status before the update: $(status)"
unload
apply binfmt
expect $d/targets "binfmt_misc waiting"
[ "$(status)" = "enabled (ksplice)" ] || fail "loaded after the apply: $(status)"
expect $d/targets "binfmt_misc loaded-patched"
unload
expect $d/targets "binfmt_misc waiting"
[ "$(status)" = "enabled (ksplice)" ] || fail "loaded again: $(status)"
unload
undo binfmt
[ "$(status)" = enabled ] || fail "loaded after the undo: $(status)"
# Loaded at apply time: patched in the pass; undone while loaded.
apply binfmt
expect $d/targets "binfmt_misc loaded-patched"
[ "$(status)" = "enabled (ksplice)" ] || fail "applied while loaded: $(status)"
undo binfmt
[ "$(status)" = enabled ] || fail "undone while loaded: $(status)"
unload
rmmod binfmt || fail "rmmod binfmt"
ok module-debian
