# A thread enters a replaced function after the stack check before the
# stop has passed and before stop_machine: the check inside stop_machine
# must catch it (code_busy naming it) and nothing is written.  The core's
# test_window_ms parameter makes that window 3 s wide.  Also with the watch
# on the scheduler overflowing (test_watch_max), when every thread is
# checked inside stop_machine; and when a task is created in the window.
. "$(dirname "$0")/lib.sh"
P=/sys/module/ksplice/parameters
load_core
load_kstest
load waiter.ko
load sleeper.ko
echo 1 > $S/waiter/retries
echo 1 > $S/sleeper/retries
echo 3000 > $P/test_window_ms

# window ID N: wait until ID's Nth window has begun (its check before the
# stop has passed).
window() {
	_i=0
	while [ "$(dmesg | grep -c "'$1': test window: 3000 ms")" -lt "$2" ]; do
		_i=$((_i + 1))
		[ $_i -lt 600 ] || fail "no test window for $1"
		sleep 0.1
	done
}

# start ID ACTION: write ACTION to ID's stage in the background; its exit
# status goes to /tmp/rc.
start() {
	rm -f /tmp/rc
	(echo "$2" > "$S/$1/stage" 2>/dev/null; echo $? > /tmp/rc) &
}

# finished: wait for start's write to return; prints its status.
finished() {
	_i=0
	while [ ! -s /tmp/rc ]; do
		_i=$((_i + 1))
		[ $_i -lt 600 ] || fail "the stage write did not return"
		sleep 0.1
	done
	cat /tmp/rc
}

# inside N: wait until N tasks are inside kstest_wait().
inside() {
	_i=0
	while [ "$(cat /proc/kstest/waiting)" != "$1" ]; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || fail "$(cat /proc/kstest/waiting) tasks in kstest_wait, expected $1"
		sleep 0.1
	done
}

# enter_in_window ID N: a shell that exists before the action (blocked in
# a fifo) enters kstest_wait() in ID's Nth window; sets $pid.
enter_in_window() {
	rm -f /tmp/go /tmp/waited
	mkfifo /tmp/go
	echo 1 > /proc/kstest/wait
	(read _go < /tmp/go; read _v < /proc/kstest/wait; echo "$_v" > /tmp/waited) &
	pid=$!
	sleep 1
	start "$1" apply
	window "$1" "$2"
	echo go > /tmp/go
	inside 1
}

# leave: release the thread inside kstest_wait(); it returns what the code
# it was in returns.
leave() {
	echo 0 > /proc/kstest/wait
	wait "$pid"
	expect /tmp/waited "$1"
	inside 0
}

# An existing thread enters the replaced function in the window.
enter_in_window waiter 1
[ "$(finished)" != 0 ] || fail "apply succeeded with a thread in kstest_wait"
expect $S/waiter/abort_cause code_busy
expect $S/waiter/stage loaded
grep -qx "$pid sh kstest_wait" $S/waiter/conflicts ||
	fail "conflicts: $(cat $S/waiter/conflicts)"
dmesg | grep -q "'waiter': code_busy: apply failed after 1 tries" ||
	fail "no code_busy message"
leave 1
[ "$(cat /proc/kstest/wait)" = 1 ] || fail "kstest_wait was replaced"
ok "a thread entering in the window"

# A new kernel thread enters the replaced function in the window.
start sleeper apply
window sleeper 1
echo 1 > /proc/kstest/sleeper
[ "$(finished)" != 0 ] || fail "apply succeeded with a new thread in kstest_sleeper"
expect $S/sleeper/abort_cause code_busy
expect $S/sleeper/stage loaded
spid=$(ps -o pid,comm | awk '$2 == "kstest_sleeper" { print $1 }')
grep -qx "$spid kstest_sleeper kstest_sleeper" $S/sleeper/conflicts ||
	fail "conflicts: $(cat $S/sleeper/conflicts)"
echo 0 > /proc/kstest/sleeper
sleep 1
expect /proc/kstest/sleeper 7
ok "a new thread entering in the window"

# Nobody enters: the window alone causes no conflict.
start waiter apply
window waiter 2
[ "$(finished)" = 0 ] || fail "apply failed: $(cat $S/waiter/abort_cause)"
expect $S/waiter/stage applied
expect /proc/kstest/wait 2
dmesg | grep "'waiter': applied 1 function" | tail -n 1
start waiter undo
window waiter 3
[ "$(finished)" = 0 ] || fail "undo failed: $(cat $S/waiter/abort_cause)"
expect /proc/kstest/wait 1
ok "the window alone"

# inside_all ID: ID's last apply checked every thread inside stop_machine.
inside_all() {
	all=$(ls -d /proc/[0-9]*/task/[0-9]* | wc -l)
	line=$(dmesg | grep "'$1': applied 1 function" | tail -n 1)
	echo "$line"
	inside=$(echo "$line" | sed -n 's/.*, \([0-9]*\) inside$/\1/p')
	[ -n "$inside" ] && [ "$inside" -ge "$all" ] ||
		fail "$2: $inside threads checked inside, $all threads"
}

# A task is created in the window: it may not have run before the stop,
# so the watch need not have seen it, and the walk before the stop did
# not: every thread is checked inside stop_machine.
start waiter apply
window waiter 4
/bin/true
[ "$(finished)" = 0 ] || fail "apply failed: $(cat $S/waiter/abort_cause)"
inside_all waiter "a fork in the window"
start waiter undo
window waiter 5
[ "$(finished)" = 0 ] || fail "undo failed: $(cat $S/waiter/abort_cause)"
ok "a task created in the window"

# The watch overflows: every thread is checked inside stop_machine, and
# the thread entering in the window is caught there too.
echo 1 > $P/test_watch_max
enter_in_window waiter 6
[ "$(finished)" != 0 ] || fail "apply succeeded with a thread in kstest_wait (overflow)"
expect $S/waiter/abort_cause code_busy
grep -qx "$pid sh kstest_wait" $S/waiter/conflicts ||
	fail "conflicts: $(cat $S/waiter/conflicts)"
leave 1
start waiter apply
window waiter 7
[ "$(finished)" = 0 ] || fail "apply failed: $(cat $S/waiter/abort_cause)"
inside_all waiter overflow
echo 0 > $P/test_watch_max
echo 0 > $P/test_window_ms
undo waiter
ok "the watch overflowing"
ok window
