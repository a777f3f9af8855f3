# Guest side of the stacked test: every applying case of cases.tsv (exit 0,
# with a .check) as its own update, applied one after another in the
# file's order (data-new as data-new-series, built on top of
# meminfo-string; first refused before meminfo-string), then undone in
# reverse order.  After each step every check must say exactly what is
# live.
#   stacked-guest.sh BIN_DIR PKG_DIR CHECK_DIR PROBE
set -u
bin=/host$1 pkgs=/host$2 checks=/host$3
export KSPLICE_E2E_PROBE=/host$4
order=
while read -r case want _; do
	case $case in '#'* | '') continue ;; esac
	[ "$want" = 0 ] && [ -f "$checks/$case.check" ] || continue
	[ "$case" = data-new ] && case=data-new-series
	order="$order $case"
done < "$checks/cases.tsv"
. "$(dirname "$0")/explain.sh"
fail() { echo "FAIL: $*"; exit 1; }
check_of() { [ "$1" = data-new-series ] && echo data-new || echo "$1"; }
live() { sh "$checks/$(check_of "$1").check" > /dev/null 2>&1; }
# meminfo-string's change is also in data-new-series.
expect() { # the applied ids: each check passes iff its case is live
	for c in $order; do
		want=no
		for a in $*; do
			[ "$a" = "$c" ] && want=yes
			[ "$a" = data-new-series ] && [ "$c" = meminfo-string ] && want=yes
		done
		if live "$c"; then got=yes; else got=no; fi
		[ "$got" = "$want" ] || {
			explain "$checks/$(check_of "$c").check" "$c"
			fail "with '$*' applied, $c is live: $got, expected $want"
		}
	done
}

# data-new-series is built --after meminfo-string: before it, ksplice-apply
# (and --dry-run) refuses it with missing_prerequisite and loads nothing.
modules() { cut -d' ' -f1 /proc/modules | sort; }
modules_before=$(modules)
for dry in "" --dry-run; do
	"$bin/ksplice-apply" $dry --raw-errors "$pkgs/data-new-series.tar.gz" \
		> /dev/null 2> "$KSPLICE_OUT/early.err" &&
		fail "ksplice-apply $dry data-new-series before meminfo-string succeeded"
	[ "$(head -n 1 "$KSPLICE_OUT/early.err")" = missing_prerequisite ] &&
		grep -q "apply the update built from that patch first" "$KSPLICE_OUT/early.err" ||
		{ cat "$KSPLICE_OUT/early.err"; fail "ksplice-apply $dry data-new-series early: not missing_prerequisite"; }
	[ "$(modules)" = "$modules_before" ] ||
		fail "the refused ksplice-apply $dry of data-new-series changed /proc/modules"
done
echo "ok: data-new-series before meminfo-string refused (missing_prerequisite), nothing loaded"

applied=
expect
for c in $order; do
	"$bin/ksplice-apply" "$pkgs/$c.tar.gz" > /dev/null || fail "applying $c"
	applied="$applied $c"
	expect $applied
done
echo "ok: all $(echo $order | wc -w) updates applied and live"
"$bin/ksplice-undo" meminfo-string 2> "$KSPLICE_OUT/wrong-order.err" &&
	fail "undoing meminfo-string under data-new-series was allowed"
grep -q dependent_update "$KSPLICE_OUT/wrong-order.err" ||
	{ cat "$KSPLICE_OUT/wrong-order.err"; fail "wrong-order undo: no dependent_update"; }
echo "ok: undo in the wrong order refused (dependent_update)"
for c in $(echo $order | tr ' ' '\n' | tac); do
	"$bin/ksplice-undo" "$c" > /dev/null || fail "undoing $c"
	applied=$(echo $applied | tr ' ' '\n' | grep -vx "$c" | tr '\n' ' ')
	expect $applied
done
"$bin/ksplice-view" | grep -q . && ! "$bin/ksplice-view" | grep -q applied ||
	fail "updates remain after undoing everything"
echo "ok: undone in reverse order; every check fails again"
