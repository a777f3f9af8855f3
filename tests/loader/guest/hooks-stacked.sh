# Order of hooks across the units of an update (hooks-ab: units a, b) and
# across two stacked updates (hooks, then hooks-ab): the apply kinds run
# forward, the reverse kinds backward; a refusal in unit b runs the fail
# hooks of a and b, whose pre hooks ran.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load hooks.ko
load hooks-ab.ko
expect /proc/kstest/dup "10 20"
clearlog
echo 3 > /proc/kstest/refuse
refused hooks-ab apply hook_refused loaded
expect_log "a_pre_apply, b_pre_apply, a_fail_apply, b_fail_apply"
echo 0 > /proc/kstest/refuse
apply hooks
apply hooks-ab
expect_log "hooks_pre_apply, $(kind_order hooks apply), hooks_post_apply, a_pre_apply, b_pre_apply, a_apply, b_apply, a_post_apply, b_post_apply"
expect /proc/kstest/dup "11 21"
expect /proc/kstest/timeout "3000 3000"

echo 3 > /proc/kstest/refuse
refused hooks-ab undo hook_refused applied
expect_log "b_pre_reverse, b_fail_reverse"
echo 2 > /proc/kstest/refuse
refused hooks-ab undo hook_refused applied
expect_log "b_pre_reverse, a_pre_reverse, b_fail_reverse, a_fail_reverse"
echo 0 > /proc/kstest/refuse
undo hooks-ab
undo hooks
expect_log "b_pre_reverse, a_pre_reverse, b_reverse, a_reverse, b_post_reverse, a_post_reverse, hooks_pre_reverse, $(kind_order hooks reverse), hooks_post_reverse"
expect /proc/kstest/dup "10 20"
expect /proc/kstest/timeout "3000 3"
ok hooks-stacked
