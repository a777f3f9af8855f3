# Guest side of e2e.series: a dry run checks what it can and loads nothing;
# the apply brings in all three in order; ksplice-view --series says the
# level; an apply again has nothing to do; ksplice-undo --all takes them out.
#   series-guest.sh BIN_DIR SERIES_DIR CHECK_DIR
set -u
bin=/host$1 dir=/host$2 checks=/host$3
fail() { echo "FAIL: $*"; exit 1; }
live() { sh "$checks/$1.check" > /dev/null 2>&1; }
modules() { cut -d' ' -f1 /proc/modules | sort; }

before=$(modules)
"$bin/ksplice-apply" --dry-run "$dir" > dry.out 2>&1 || { cat dry.out; fail "dry run failed"; }
cat dry.out
grep -q '^\[1/3\] cmdline-string: would apply' dry.out &&
	grep -q '^\[2/3\] meminfo-string: would apply' dry.out &&
	grep -q '^\[3/3\] data-new-series: not checked: it builds on an earlier update' dry.out ||
	fail "the dry run did not check the first two and leave the third unchecked"
[ "$(modules)" = "$before" ] || fail "the dry run left modules loaded"
live cmdline-string && fail "cmdline-string live after a dry run"

"$bin/ksplice-apply" "$dir" > apply.out 2>&1 || { cat apply.out; fail "applying the series failed"; }
cat apply.out
for c in cmdline-string meminfo-string data-new; do
	live $c || fail "$c is not live after the series"
done
"$bin/ksplice-view" --series "$dir" > view.out || fail "ksplice-view --series failed"
cat view.out
grep -q '^series .*: 3 of 3 updates applied$' view.out &&
	grep -q '^effective level: .*+test$' view.out || fail "ksplice-view --series: not 3 of 3 at the new level"
"$bin/ksplice-apply" "$dir" > again.out 2>&1 || { cat again.out; fail "applying the series again failed"; }
[ "$(grep -c 'already applied' again.out)" = 3 ] || { cat again.out; fail "applying again did not find all three applied"; }

"$bin/ksplice-undo" --all > undo.out 2>&1 || { cat undo.out; fail "ksplice-undo --all failed"; }
for c in cmdline-string meminfo-string data-new; do
	live $c && fail "$c is still live after ksplice-undo --all"
done
"$bin/ksplice-view" --series "$dir" | grep -q '^series .*: 0 of 3 updates applied$' ||
	fail "ksplice-view --series: not 0 of 3 after the undo"
echo "ok: series: dry run, apply in order, level, again, undo --all"
