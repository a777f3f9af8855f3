# Sourced by the benchmarks that time a run of hours which may be cut
# short (the machine's session ends) and resumed: each run is a "piece",
# and a piece's time must survive its script being killed outright.
#
# metered FILE CMD...: runs CMD in a session of its own and keeps FILE
# holding "WALL CPU" (seconds) of the run so far, rewritten every 10 s and
# exactly at the end.  The CPU time is user + system of every process the
# run started: the sum, over the session's live processes, of each one's
# own time and its waited-for children's (a finished process is counted in
# the nearest live ancestor that waited for it), read from /proc.  So a
# killed run leaves FILE at most 10 s short, and the next run adds it to
# the pieces with piece_leftover.  Returns CMD's exit status.
metered() {
	local out=$1; shift
	local start pid cpu last=0 rc=0
	start=$(date +%s.%N)
	children_cpu "$out.t0"
	setsid "$@" &
	pid=$!
	# A session of its own is a scheduling autogroup of its own, which
	# the other sessions' share of the CPUs ignores nice inside: give the
	# group this script's niceness (nice -n 19 bench-... yields to others).
	echo "$(nice)" > "/proc/$pid/autogroup" 2>/dev/null || true
	# Its own session does not get the terminal's signals: pass them on.
	trap 'kill -TERM -- -'"$pid"' 2>/dev/null' INT TERM
	while kill -0 "$pid" 2>/dev/null; do
		last=$(session_cpu "$pid")
		printf '%.3f %.3f\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$last" > "$out.tmp" &&
			mv "$out.tmp" "$out"
		sleep 10 & wait $! || true
	done
	wait "$pid" || rc=$?
	trap - INT TERM
	# The run is over: its whole CPU time is in this shell's children's,
	# unless it was killed, when its processes died unwaited-for and only
	# the last reading from /proc has their time: never report less.
	children_cpu "$out.t1"
	cpu=$(echo "$(cat "$out.t1") - $(cat "$out.t0")" | bc)
	if [ "$(echo "$cpu < $last" | bc)" = 1 ]; then cpu=$last; fi
	printf '%.3f %.3f\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$cpu" > "$out.tmp" && mv "$out.tmp" "$out"
	rm -f "$out.t0" "$out.t1"
	return $rc
}

# User + system seconds of the processes of session SID and of the
# children each of them waited for (/proc/PID/stat fields 14-17, in clock
# ticks; field 6 is the session).
session_cpu() {
	local hz
	hz=$(getconf CLK_TCK)
	cat /proc/[0-9]*/stat 2>/dev/null |
		sed 's/^.*) //' |
		awk -v sid="$1" -v hz="$hz" '$4 == sid { t += $12 + $13 + $14 + $15 } END { printf "%.3f\n", t / hz }'
}

# children_cpu FILE: user + system seconds of this shell's waited-for
# children so far, into FILE (not through $(...): a subshell has no
# children of its own yet).
children_cpu() {
	times > "$1.times"
	awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] } printf "%.3f\n", s }' "$1.times" > "$1"
	rm -f "$1.times"
}

# piece_leftover FILE PIECES: a FILE left by a run killed outright (its
# last reading) is added to PIECES, as a piece measured to within 10 s.
piece_leftover() {
	[ -f "$1" ] || return 0
	cat "$1" >> "$2" && rm -f "$1"
}
