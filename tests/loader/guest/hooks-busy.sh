# code_busy after the pre hooks ran calls the fail hooks: a thread sleeps
# in kstest_sleeper(), which unit 0 of hooks-busy replaces; unit 1 has the
# hooks.  The same for undo with the thread in the new code.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load hooks-busy.ko
id=hooks-busy d=$S/$id
echo 2 > $d/retries
echo 1 > /proc/kstest/sleeper
sleep 1
clearlog
refused hooks-busy apply code_busy loaded
expect_log "hooks_pre_apply, hooks_fail_apply"
expect /proc/kstest/timeout "3000 3"
echo 0 > /proc/kstest/sleeper
sleep 1
apply hooks-busy
expect_log "hooks_pre_apply, $(kind_order $id apply), hooks_post_apply"
expect /proc/kstest/timeout "3000 3000"

echo 1 > /proc/kstest/sleeper
sleep 1
clearlog
refused hooks-busy undo code_busy applied
expect_log "hooks_pre_reverse, hooks_fail_reverse"
expect /proc/kstest/timeout "3000 3000"
echo 0 > /proc/kstest/sleeper
sleep 1
undo hooks-busy
expect_log "hooks_pre_reverse, $(kind_order $id reverse), hooks_post_reverse"
expect /proc/kstest/timeout "3000 3"
ok hooks-busy
