# The real-kernel patches of testdata/kernel-patches (meminfo strings, a new
# static variable, a new function, uname(2), fresh pr_info_once state): each
# <case>.check fails before apply, passes after, fails after undo.
. "$(dirname "$0")/lib.sh"
load_core
for n in meminfo-string data-new new-function syscall special-static; do
	chk=$(dirname "$0")/../../../testdata/kernel-patches/$n.check
	load kp-$n.ko
	sh "$chk" >/dev/null 2>&1 && fail "$n: check passes before apply"
	apply kp-$n
	sh "$chk" >/dev/null 2>&1 || fail "$n: check fails after apply"
	undo kp-$n
	sh "$chk" >/dev/null 2>&1 && fail "$n: check passes after undo"
	rmmod "kp_$(echo $n | tr - _)" || fail "rmmod kp-$n"
	ok "$n"
done
ok vmlinux-patches
