# Guest side of the series tests: a dry run checks what it can and loads
# nothing; the apply brings every update in, in order; ksplice-view
# --series and plain ksplice-view say the level; an apply again has nothing to do; ksplice-undo
# --all takes them out.
#   series-guest.sh BIN_DIR SERIES_DIR CHECK_DIR N CHECKS [UNCHECKED]
# N: the series' updates; CHECKS: the checks (comma-separated) that pass
# exactly when the series is in; UNCHECKED: the updates (comma-separated)
# the dry run cannot check (built on an earlier one).
set -u
bin=/host$1 dir=/host$2 checks=/host$3 n=$4
live_checks=$(echo "$5" | tr , ' ') unchecked=$(echo "${6:-}" | tr , ' ')
fail() { echo "FAIL: $*"; exit 1; }
live() { sh "$checks/$1.check" > /dev/null 2>&1; }
modules() { cut -d' ' -f1 /proc/modules | sort; }

before=$(modules)
"$bin/ksplice-apply" --dry-run "$dir" > dry.out 2>&1 || { cat dry.out; fail "dry run failed"; }
cat dry.out
[ "$(grep -c '^\[[0-9]*/'"$n"'\] .*: would apply' dry.out)" = $((n - $(echo $unchecked | wc -w))) ] ||
	fail "the dry run did not check every update it can"
for u in $unchecked; do
	grep -q "^\[[0-9]*/$n\] $u: not checked: it builds on an earlier update" dry.out ||
		fail "the dry run did not leave $u unchecked"
done
[ "$(modules)" = "$before" ] || fail "the dry run left modules loaded"
for c in $live_checks; do
	live $c && fail "$c is live after a dry run"
done

"$bin/ksplice-apply" "$dir" > apply.out 2>&1 || { cat apply.out; fail "applying the series failed"; }
cat apply.out
for c in $live_checks; do
	live $c || fail "$c is not live after the series"
done
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
