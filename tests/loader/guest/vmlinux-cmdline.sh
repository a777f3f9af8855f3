# A vmlinux function (cmdline_proc_show, /proc/cmdline): apply/undo 3 times.
. "$(dirname "$0")/lib.sh"
load_core
load cmdline.ko
orig=$(cat /proc/cmdline)
expect $S/cmdline/functions "cmdline_proc_show vmlinux"
for i in 1 2 3; do
	apply cmdline
	expect /proc/cmdline "$orig ksplice=1"
	undo cmdline
	expect /proc/cmdline "$orig"
done
rmmod cmdline || fail "rmmod cmdline"
ok vmlinux-cmdline
