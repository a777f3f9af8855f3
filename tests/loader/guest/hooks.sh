# Hooks of one unit (kstest_hooks.c): a pre_apply hook that refuses (its
# fail_apply hook runs, nothing changes), an apply hook that converts the
# state the new code keeps (seconds to milliseconds) and the reverse hook
# that converts it back on undo; pre_reverse refusing an undo; a check
# runs no hook.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load hooks.ko
id=hooks d=$S/$id
[ "$(grep -c . $d/hooks)" = 10 ] || fail "hooks: $(cat $d/hooks)"
for h in "apply to_ms" "apply hooks_apply" "reverse to_s" "reverse hooks_reverse" \
	 "pre_apply hooks_pre_apply" "fail_reverse hooks_fail_reverse"; do
	grep -qx "$h" $d/hooks || fail "hooks: no '$h' in $(cat $d/hooks)"
done
expect /proc/kstest/timeout "3000 3"
clearlog

echo check > $d/stage || fail "check: $(cat $d/detail)"
expect_log ""
echo 1 > /proc/kstest/refuse
refused hooks apply hook_refused loaded
grep -qx "hook_refused: apply: pre_apply hook 'hooks_pre_apply' of kstest_hooks.o returned -11" \
	$d/detail || fail "detail: $(cat $d/detail)"
expect_log "hooks_pre_apply, hooks_fail_apply"
expect /proc/kstest/timeout "3000 3"

echo 0 > /proc/kstest/refuse
apply hooks
expect_log "hooks_pre_apply, $(kind_order $id apply), hooks_post_apply"
expect /proc/kstest/timeout "3000 3000"

echo 1 > /proc/kstest/refuse
refused hooks undo hook_refused applied
grep -q "pre_reverse hook 'hooks_pre_reverse' of kstest_hooks.o returned -11" \
	$d/detail || fail "detail: $(cat $d/detail)"
expect_log "hooks_pre_reverse, hooks_fail_reverse"
expect /proc/kstest/timeout "3000 3000"

echo 0 > /proc/kstest/refuse
undo hooks
expect_log "hooks_pre_reverse, $(kind_order $id reverse), hooks_post_reverse"
expect /proc/kstest/timeout "3000 3"
rmmod hooks || fail "rmmod hooks"
ok hooks
