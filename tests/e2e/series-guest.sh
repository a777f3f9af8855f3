# Guest side of the series tests: a dry run checks what it can and loads
# nothing; the apply brings every update in, in order; ksplice-view
# --series and plain ksplice-view say the level; an apply again has nothing to do; ksplice-undo
# --all takes them out.
#   series-guest.sh BIN_DIR SERIES_DIR CHECK_DIR N CHECKS [UNCHECKED [WAITING]]
# N: the series' updates; CHECKS: the checks (comma-separated) that pass
# exactly when the series is in; UNCHECKED: the updates (comma-separated)
# the dry run cannot check (built on an earlier one); WAITING: ID:MODULE,
# an update that must find MODULE loaded, which is not: the dry run and
# the apply let it wait (exit 3) and do the others; its check (ID.check,
# which loads MODULE) fails; then a second apply brings it in.
set -u
bin=/host$1 dir=/host$2 checks=/host$3 n=$4
live_checks=$(echo "$5" | tr , ' ') unchecked=$(echo "${6:-}" | tr , ' ')
waiting=${7:-}
wait_id=${waiting%%:*} wait_mod=${waiting#*:}
fail() { echo "FAIL: $*"; exit 1; }
live() { sh "$checks/$1.check" > /dev/null 2>&1; }
modules() { cut -d' ' -f1 /proc/modules | sort; }
# The exit status of an apply that lets WAITING wait (0 without one).
want=0
[ -z "$waiting" ] || want=3
# ksplice-apply ARGS > FILE; fail unless its status is $want.
apply_series() {
	out=$1; shift
	rc=0; "$bin/ksplice-apply" "$@" > "$out" 2>&1 || rc=$?
	cat "$out"
	[ "$rc" = "$want" ] || fail "ksplice-apply $* exited $rc, not $want"
	[ -z "$waiting" ] && return
	grep -q "^\[[0-9]*/$n\] $wait_id: waiting for module '$wait_mod' to be loaded" "$out" ||
		fail "ksplice-apply $* did not let $wait_id wait for $wait_mod"
	grep -q "warning: 1 update of the series waits for modules that are not loaded: '$wait_mod' ($wait_id)" "$out" ||
		fail "ksplice-apply $* did not say which module to load"
}

[ -z "$waiting" ] || ! grep -q "^$wait_mod " /proc/modules || fail "$wait_mod is loaded already"
before=$(modules)
apply_series dry.out --dry-run "$dir"
[ "$(grep -c '^\[[0-9]*/'"$n"'\] .*: would apply' dry.out)" = $((n - $(echo $unchecked $waiting | wc -w))) ] ||
	fail "the dry run did not check every update it can"
for u in $unchecked; do
	grep -q "^\[[0-9]*/$n\] $u: not checked: it builds on an earlier update" dry.out ||
		fail "the dry run did not leave $u unchecked"
done
[ "$(modules)" = "$before" ] || fail "the dry run left modules loaded"
for c in $live_checks; do
	live $c && fail "$c is live after a dry run"
done

apply_series apply.out "$dir"
for c in $live_checks; do
	live $c || fail "$c is not live after the series"
done
if [ -n "$waiting" ]; then
	# Its check loads the module: the update is not in it.
	live $wait_id && fail "$wait_id is live although it waits"
	grep -q "^$wait_mod " /proc/modules || fail "$wait_id.check did not load $wait_mod"
	want=0 waiting=
	"$bin/ksplice-apply" "$dir" > apply2.out 2>&1 || { cat apply2.out; fail "applying the series with $wait_mod loaded failed"; }
	cat apply2.out
	grep -q "^\[[0-9]*/$n\] $wait_id: applied" apply2.out || fail "the second apply did not apply $wait_id"
	live $wait_id || fail "$wait_id is not live after the second apply"
	live_checks="$live_checks $wait_id"
fi
"$bin/ksplice-view" --series "$dir" > view.out || fail "ksplice-view --series failed"
cat view.out
grep -q "^series .*: $n of $n updates applied$" view.out &&
	grep -q '^effective level: .*+test$' view.out || fail "ksplice-view --series: not $n of $n at the new level"
"$bin/ksplice-view" > plain.out || fail "ksplice-view failed"
grep -q "^series .*: $n of $n updates applied; effective level .*+test$" plain.out ||
	{ cat plain.out; fail "plain ksplice-view does not show the series' level"; }
"$bin/ksplice-view" --json > plain.json || fail "ksplice-view --json failed"
grep -q "\"series\":\[{\"from\":\"[^\"]*\",\"to\":\"[^\"]*+test\",.*\"applied\":$n,\"total\":$n,\"effective\":\"[^\"]*+test\",\"missing\":\[\]}\]}$" plain.json ||
	{ cat plain.json; fail "ksplice-view --json does not show the series' level"; }
"$bin/ksplice-apply" "$dir" > again.out 2>&1 || { cat again.out; fail "applying the series again failed"; }
[ "$(grep -c 'already applied' again.out)" = "$n" ] || { cat again.out; fail "applying again did not find all applied"; }

"$bin/ksplice-undo" --all > undo.out 2>&1 || { cat undo.out; fail "ksplice-undo --all failed"; }
for c in $live_checks; do
	live $c && fail "$c is still live after ksplice-undo --all"
done
"$bin/ksplice-view" --series "$dir" | grep -q "^series .*: 0 of $n updates applied$" ||
	fail "ksplice-view --series: not 0 of $n after the undo"
echo "ok: series of $n: dry run, apply in order, level, again, undo --all"
